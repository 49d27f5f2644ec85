// Filters, tests and the methods of str, dict and list: each a small template whose expected output
// is what jinja2 renders under transformers' settings (computed with
// tests/engine/chat/reference/render.py's environment).
#include "gtest/gtest.h"
#include "tests/engine/chat/chat_template_test_util.h"

namespace radixlm::engine::chat_test {
namespace {

TEST(ChatTemplateFiltersTest, Trim) {
  EXPECT_EQ(Render("[{{ '  x \\n'|trim }}][{{ 'xxaxx'|trim('x') }}][{{ '\\u3000a\\u00a0'|trim }}]"),
            "[x][a][a]");
}

TEST(ChatTemplateFiltersTest, CaseFilters) {
  EXPECT_EQ(
      Render("{{ 'hello WORLD'|upper }} {{ 'Hello'|lower }} {{ \"they're bill's friends\"|titl"
             "e }} {{ 'hELLO world'|capitalize }}"),
      "HELLO WORLD hello They're Bill's Friends Hello world");
}

TEST(ChatTemplateFiltersTest, Replace) {
  EXPECT_EQ(Render("{{ 'a-b-c'|replace('-', '+') }} {{ 'aaa'|replace('a', 'b', 2) }}"),
            "a+b+c bba");
}

TEST(ChatTemplateFiltersTest, Join) {
  EXPECT_EQ(
      Render("{{ [1, 'a', none]|join(', ') }}|{{ users|join(',', attribute='name') }}|{{ 'abc'"
             "|join('-') }}",
             "{\"users\": [{\"name\": \"x\"}, {\"name\": \"y\"}]}"),
      "1, a, None|x,y|a-b-c");
}

TEST(ChatTemplateFiltersTest, FirstLastLength) {
  EXPECT_EQ(
      Render("{{ [3, 4]|first }}{{ [3, 4]|last }}{{ 'ab'|first }}{{ [1, 2]|length }}{{ {'a': 1"
             "}|count }}[{{ []|first }}]"),
      "34a21[]");
}

TEST(ChatTemplateFiltersTest, DefaultFilter) {
  EXPECT_EQ(
      Render("{{ missing|default('d') }}|{{ ''|default('d') }}|{{ ''|default('d', true) }}|{{ "
             "none|d('x') }}|{{ 0|default(5, boolean=true) }}"),
      "d||d|None|5");
}

TEST(ChatTemplateFiltersTest, ListAndString) {
  EXPECT_EQ(
      Render("{{ 'abc'|list }}{{ {'a': 1}|list }}{{ missing|list }}{{ 1.5|string }}{{ none|str"
             "ing }}{{ [1, 'a']|string }}"),
      "['a', 'b', 'c']['a'][]1.5None[1, 'a']");
}

TEST(ChatTemplateFiltersTest, IntAndFloat) {
  EXPECT_EQ(
      Render("{{ '42'|int }} {{ '3.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ '0x1A'|int(0, 1"
             "6) }} {{ 3.9|int }} {{ '2.5'|float }} {{ 'x'|float }} {{ 4|float }}"),
      "42 3 0 7 26 3 2.5 0.0 4.0");
}

TEST(ChatTemplateFiltersTest, RoundAndAbs) {
  EXPECT_EQ(
      Render("{{ 2.5|round }} {{ 3.5|round }} {{ 3.14159|round(2) }} {{ 2.7|round(method='floo"
             "r') }} {{ 2.1|round(method='ceil') }} {{ 5|round }} {{ -3|abs }} {{ -2.5|abs }}"),
      "2.0 4.0 3.14 2.0 3.0 5 3 2.5");
}

TEST(ChatTemplateFiltersTest, Items) {
  EXPECT_EQ(Render("{% for k, v in d|items %}{{ k }}:{{ v }} {% endfor %}{{ missing|items|list }}",
                   "{\"d\": {\"b\": 1, \"a\": 2}}"),
            "b:1 a:2 []");
}

TEST(ChatTemplateFiltersTest, MapAttributeAndFilter) {
  EXPECT_EQ(
      Render("{{ users|map(attribute='name')|list }} {{ ['a', 'b']|map('upper')|list }} {{ use"
             "rs|map(attribute='age', default=0)|list }}",
             "{\"users\": [{\"name\": \"x\", \"age\": 3}, {\"name\": \"y\"}]}"),
      "['x', 'y'] ['A', 'B'] [3, 0]");
}

TEST(ChatTemplateFiltersTest, SelectAndReject) {
  EXPECT_EQ(
      Render("{{ range(6)|select('odd')|list }} {{ range(6)|reject('even')|list }} {{ [0, 1, '"
             "', 'a']|select|list }} {{ [1, 2, 3]|select('equalto', 2)|list }} {{ [1, 5, 9]|se"
             "lect('gt', 4)|list }}"),
      "[1, 3, 5] [1, 3, 5] [1, 'a'] [2] [5, 9]");
}

TEST(ChatTemplateFiltersTest, SelectattrAndRejectattr) {
  EXPECT_EQ(
      Render("{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(',')"
             " }} {{ msgs|rejectattr('role', 'eq', 'user')|list|length }} {{ msgs|selectattr('"
             "flag')|list|length }} {{ msgs|selectattr('flag', 'defined')|list|length }}",
             "{\"msgs\": [{\"role\": \"user\", \"content\": \"a\", \"flag\": true}, {\"role\":"
             " \"assistant\", \"content\": \"b\"}, {\"role\": \"user\", \"content\": \"c\", \""
             "flag\": false}]}"),
      "a,c 1 1 2");
}

TEST(ChatTemplateFiltersTest, UniqueSortDictsort) {
  EXPECT_EQ(
      Render("{{ ['b', 'A', 'a', 'B']|unique|list }} {{ ['b', 'A', 'a']|sort }} {{ [3, 1, 2]|s"
             "ort(reverse=true) }} {{ users|sort(attribute='age')|map(attribute='n')|join }} {"
             "{ {'b': 1, 'a': 2}|dictsort }} {{ {'b': 1, 'a': 2}|dictsort(by='value', reverse="
             "true) }}",
             "{\"users\": [{\"n\": \"x\", \"age\": 3}, {\"n\": \"y\", \"age\": 1}]}"),
      "['b', 'A'] ['A', 'a', 'b'] [3, 2, 1] yx [('a', 2), ('b', 1)] [('a', 2), ('b', 1)"
      "]");
}

TEST(ChatTemplateFiltersTest, Indent) {
  EXPECT_EQ(
      Render("[{{ 'a\\nb\\n\\nc'|indent(2) }}][{{ 'a\\nb'|indent(2, true) }}][{{ 'a\\n\\nb'|in"
             "dent('> ', blank=true) }}]"),
      "[a\n  b\n\n  c][  a\n  b][a\n> \n> b]");
}

TEST(ChatTemplateFiltersTest, CenterWordcountReverse) {
  EXPECT_EQ(
      Render("[{{ 'ab'|center(6) }}][{{ 'abc'|center(6) }}] {{ 'one two, three'|wordcount }} {"
             "{ 'abc'|reverse }} {{ [1, 2]|reverse|list }}"),
      "[  ab  ][ abc  ] 3 cba [2, 1]");
}

TEST(ChatTemplateFiltersTest, SumMinMax) {
  EXPECT_EQ(
      Render("{{ [1, 2, 3]|sum }} {{ users|sum(attribute='age') }} {{ [1, 2]|sum(start=10) }} "
             "{{ [4, 9, 2]|max }} {{ ['b', 'A']|min }} {{ users|max(attribute='age') }}",
             "{\"users\": [{\"age\": 3}, {\"age\": 1}]}"),
      "6 4 13 9 A {'age': 3}");
}

TEST(ChatTemplateFiltersTest, Batch) {
  EXPECT_EQ(Render("{{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ [1, 2, 3]|batch(2, 'x')|list }}"),
            "[[1, 2], [3, 4], [5]] [[1, 2], [3, 'x']]");
}

TEST(ChatTemplateFiltersTest, ToJsonIsTransformersJsonDumps) {
  EXPECT_EQ(
      Render("{{ d|tojson }}|{{ d|tojson(indent=2) }}|{{ d|tojson(separators=(',', ':')) }}|{{"
             " d|tojson(sort_keys=true) }}|{{ 'é\"<>'|tojson }}|{{ 'é'|tojson(ensure_ascii=tru"
             "e) }}|{{ [1.0, 1e20, none, true]|tojson }}",
             "{\"d\": {\"z\": [1, {\"y\": \"é\\n\"}], \"a\": {}}}"),
      "{\"z\": [1, {\"y\": \"é\\n\"}], \"a\": {}}|{\n  \"z\": [\n    1,\n    {\n      "
      "\"y\": \"é\\n\"\n    }\n  ],\n  \"a\": {}\n}|{\"z\":[1,{\"y\":\"é\\n\"}],\"a\":{"
      "}}|{\"a\": {}, \"z\": [1, {\"y\": \"é\\n\"}]}|\"é\\\"<>\"|\"\\u00e9\"|[1.0, 1e+2"
      "0, null, true]");
}

TEST(ChatTemplateFiltersTest, SafeAndEscape) {
  EXPECT_EQ(
      Render("{{ '<b>'|e }} {{ '<b>'|escape|escape }} {{ ('x'|safe) + \"'<y>\" }} {{ '<a>'|saf"
             "e }} {{ '<a>'|forceescape }}"),
      "&lt;b&gt; &lt;b&gt; x&#39;&lt;y&gt; <a> &lt;a&gt;");
}

TEST(ChatTemplateFiltersTest, Attr) {
  EXPECT_EQ(Render("{{ d|attr('a') }}[{{ d|attr('zz') }}]", "{\"d\": {\"a\": 1}}"), "[]");
}

TEST(ChatTemplateFiltersTest, PercentFormattingAndFormatFilter) {
  EXPECT_EQ(Render("{{ '%s-%d' % ('a', 3) }}|{{ '%5.2f|%-4s|%03d|%x|%r' % (3.14159, 'a', 7, 255, "
                   "'q') }}|{{ '%(x)s' % {'x': 1} }}|{{ '%s and %s'|format('a', 'b') }}|"
                   "{{ '%(n)s'|format(n=2) }}|{{ '100%%'|format }}"),
            "a-3| 3.14|a   |007|ff|'q'|1|a and b|2|100%");
  EXPECT_EQ(Render("{{ 'a' % 1 }}"),
            "ERROR: chat template error at line 1: not all arguments converted during string "
            "formatting");
  EXPECT_EQ(Render("{{ '%s %s' % (1,) }}"),
            "ERROR: chat template error at line 1: not enough arguments for format string");
  EXPECT_EQ(Render("{{ '%d' % 'x' }}"),
            "ERROR: chat template error at line 1: %d format: a real number is required, not str");
}

TEST(ChatTemplateTestsTest, DefinedAndUndefined) {
  EXPECT_EQ(Render("{{ x is defined }}{{ y is defined }}{{ y is undefined }}{{ x is not defined }}",
                   "{\"x\": 1}"),
            "TrueFalseTrueFalse");
}

TEST(ChatTemplateTestsTest, TypeTests) {
  EXPECT_EQ(
      Render("{{ none is none }}{{ 1 is number }}{{ true is number }}{{ true is boolean }}{{ 1"
             " is integer }}{{ true is integer }}{{ 1.0 is float }}{{ 'a' is string }}{{ {} is"
             " mapping }}{{ [] is mapping }}{{ [] is sequence }}{{ 'a' is sequence }}{{ {} is "
             "iterable }}{{ 1 is iterable }}{{ missing is iterable }}"),
      "TrueTrueTrueTrueTrueFalseTrueTrueTrueFalseTrueTrueTrueFalseTrue");
}

TEST(ChatTemplateTestsTest, ValueTests) {
  EXPECT_EQ(
      Render("{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(2) }}{{"
             " true is true }}{{ 1 is true }}{{ false is false }}{{ 'abc' is lower }}{{ 'ABC' "
             "is upper }}{{ 2 is in [1, 2] }}"),
      "TrueTrueTrueFalseTrueFalseTrueTrueTrueTrue");
}

TEST(ChatTemplateTestsTest, ComparisonTests) {
  EXPECT_EQ(
      Render("{{ 1 is eq 1 }}{{ 1 is equalto 2 }}{{ 1 is ne 2 }}{{ 3 is gt 2 }}{{ 3 is ge 3 }}"
             "{{ 1 is lt 2 }}{{ 2 is le 1 }}{{ none is sameas none }}{{ false is sameas false "
             "}}"),
      "TrueFalseTrueTrueTrueTrueFalseTrueTrue");
}

TEST(ChatTemplateTestsTest, CallableFilterTestTests) {
  EXPECT_EQ(
      Render("{{ range is callable }}{{ 'x' is callable }}{{ 'upper' is filter }}{{ 'nope' is "
             "filter }}{{ 'odd' is test }}{{ '<a>'|safe is escaped }}"),
      "TrueFalseTrueFalseTrueTrue");
}

TEST(ChatTemplateMethodsTest, StripFamily) {
  EXPECT_EQ(
      Render("[{{ '  a  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '  a  '.lstrip() }}][{{ '  "
             "a  '.rstrip() }}][{{ '\\n\\na\\n'.lstrip('\\n') }}]"),
      "[a][a][a  ][  a][a\n]");
}

TEST(ChatTemplateMethodsTest, SplitFamily) {
  EXPECT_EQ(
      Render("{{ 'a,b,,c'.split(',') }}{{ ' a  b '.split() }}{{ 'a b c'.split(' ', 1) }}{{ 'a "
             "b c'.rsplit(' ', 1) }}{{ 'a\\nb\\r\\nc'.splitlines() }}{{ 'x</think>y'.split('</"
             "think>')[-1] }}"),
      "['a', 'b', '', 'c']['a', 'b']['a', 'b c']['a b', 'c']['a', 'b', 'c']y");
}

TEST(ChatTemplateMethodsTest, AffixesAndSearch) {
  EXPECT_EQ(
      Render("{{ 'abc'.startswith('a') }}{{ 'abc'.startswith(('x', 'a')) }}{{ 'abc'.endswith('"
             "bc') }}{{ 'abcabc'.find('c') }}{{ 'abcabc'.rfind('c') }}{{ 'abc'.find('z') }}{{ "
             "'aaa'.count('a') }}{{ 'abc'.index('b') }}"),
      "TrueTrueTrue25-131");
}

TEST(ChatTemplateMethodsTest, CaseMethods) {
  EXPECT_EQ(
      Render("{{ 'hello world'.title() }} {{ \"they're\".title() }} {{ 'hELLO'.capitalize() }}"
             " {{ 'ABC'.lower() }} {{ 'abc'.upper() }} {{ 'straße'.upper() }} {{ 'ΣΟΦΙΑΣ'.lowe"
             "r() }}"),
      "Hello World They'Re Hello abc ABC STRASSE σοφιας");
}

TEST(ChatTemplateMethodsTest, ReplaceJoinPartition) {
  EXPECT_EQ(
      Render("{{ 'a-b-c'.replace('-', '', 1) }} {{ ', '.join(['x', 'y']) }} {{ 'k=v=w'.partiti"
             "on('=') }} {{ 'k=v=w'.rpartition('=') }} {{ 'v0.1'.removeprefix('v') }}"),
      "ab-c x, y ('k', '=', 'v=w') ('k=v', '=', 'w') 0.1");
}

TEST(ChatTemplateMethodsTest, CharacterClasses) {
  EXPECT_EQ(
      Render("{{ '123'.isdigit() }}{{ '12a'.isdigit() }}{{ 'abc'.isalpha() }}{{ 'a1'.isalnum()"
             " }}{{ ' \\t'.isspace() }}{{ ''.isspace() }}{{ 'abc'.islower() }}{{ 'ABC'.isupper"
             "() }}"),
      "TrueFalseTrueTrueTrueFalseTrueTrue");
}

TEST(ChatTemplateMethodsTest, JustifyMethods) {
  EXPECT_EQ(Render("[{{ 'ab'.center(5, '*') }}][{{ 'ab'.ljust(4) }}][{{ 'ab'.rjust(4, '.') }}]"),
            "[**ab*][ab  ][..ab]");
}

TEST(ChatTemplateMethodsTest, DictMethods) {
  EXPECT_EQ(
      Render("{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} "
             "{{ d.get('z') }} {{ d.get('z', 0) }} {{ d.copy() == d }}",
             "{\"d\": {\"a\": 1, \"b\": 2}}"),
      "['a', 'b'] [1, 2] [('a', 1), ('b', 2)] 1 None 0 True");
}

TEST(ChatTemplateMethodsTest, ListMethods) {
  EXPECT_EQ(Render("{{ l.index(2) }} {{ l.count(1) }} {{ (1, 2).index(2) }}", "{\"l\": [1, 2, 1]}"),
            "1 2 1");
}

}  // namespace
}  // namespace radixlm::engine::chat_test
