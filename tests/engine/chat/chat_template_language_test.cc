// Statements, whitespace control, expressions and globals: each a small template whose expected
// output is what jinja2 renders under transformers' settings (computed with
// tests/engine/chat/reference/render.py's environment).
#include "gtest/gtest.h"
#include "tests/engine/chat/chat_template_test_util.h"

namespace radixlm::engine::chat_test {
namespace {

TEST(ChatTemplateStatementsTest, IfElifElse) {
  EXPECT_EQ(
      Render("{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% e"
             "ndif %};{% endfor %}"),
      "one;two;many;");
}

TEST(ChatTemplateStatementsTest, ForLoopVariables) {
  EXPECT_EQ(
      Render("{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop."
             "revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}"),
      "1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|");
}

TEST(ChatTemplateStatementsTest, ForPrevAndNextItem) {
  EXPECT_EQ(
      Render("{% for x in [1, 2, 3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }} {% endfo"
             "r %}"),
      "<1>2 1<2>3 2<3> ");
}

TEST(ChatTemplateStatementsTest, ForElseRunsWhenNothingIterated) {
  EXPECT_EQ(
      Render("{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1, 2] if x > 5 %}x{% "
             "else %}filtered{% endfor %}"),
      "empty|filtered");
}

TEST(ChatTemplateStatementsTest, ForInlineIfFilterCountsOnlyKeptItems) {
  EXPECT_EQ(
      Render("{% for x in range(10) if x is even %}{{ x }}:{{ loop.index }}/{{ loop.length }} "
             "{% endfor %}"),
      "0:1/5 2:2/5 4:3/5 6:4/5 8:5/5 ");
}

TEST(ChatTemplateStatementsTest, ForTupleUnpacking) {
  EXPECT_EQ(
      Render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for a, b in [(1, 2), ["
             "3, 4]] %}{{ a + b }}{% endfor %}",
             "{\"d\": {\"x\": 1, \"y\": \"z\"}}"),
      "x=1;y=z;37");
}

TEST(ChatTemplateStatementsTest, BreakAndContinue) {
  EXPECT_EQ(
      Render("{% for n in range(10) %}{% if n == 2 %}{% continue %}{% endif %}{% if n == 5 %}{"
             "% break %}{% endif %}{{ n }}{% endfor %}"),
      "0134");
}

TEST(ChatTemplateStatementsTest, LoopCycleAndChanged) {
  EXPECT_EQ(
      Render("{% for x in [1, 1, 2] %}{{ loop.cycle('a', 'b') }}{{ loop.changed(x) }} {% endfo"
             "r %}"),
      "aTrue bFalse aTrue ");
}

TEST(ChatTemplateStatementsTest, SetInLoopDoesNotLeak) {
  EXPECT_EQ(
      Render("{% set a = 0 %}{% for i in [1, 2] %}[{{ a }}{% set a = i %}{{ a }}]{% endfor %}{"
             "{ a }}"),
      "[01][02]0");
}

TEST(ChatTemplateStatementsTest, NamespaceCarriesStateOutOfLoops) {
  EXPECT_EQ(
      Render("{% set ns = namespace(total=0, found=false) %}{% for x in [1, 2, 3] %}{% set ns."
             "total = ns.total + x %}{% endfor %}{{ ns.total }} {{ ns.found }} {{ ns }}"),
      "6 False <Namespace {'total': 6, 'found': False}>");
}

TEST(ChatTemplateStatementsTest, NamespaceFromDictAndNewAttribute) {
  EXPECT_EQ(
      Render("{% set ns = namespace({'a': 1}, b=2) %}{% set ns.c = 3 %}{{ ns.a }}{{ ns.b }}{{ "
             "ns.c }}{{ ns.missing }}"),
      "123");
}

TEST(ChatTemplateStatementsTest, SetTupleTarget) {
  EXPECT_EQ(Render("{% set a, b = 1, 2 %}{{ a }}{{ b }}"), "12");
}

TEST(ChatTemplateStatementsTest, BlockSet) {
  EXPECT_EQ(Render("{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting }}]",
                   "{\"name\": \"Ann\"}"),
            "[Hello Ann!]");
}

TEST(ChatTemplateStatementsTest, BlockSetWithFilter) {
  EXPECT_EQ(Render("{% set text | upper | trim %}  shout  {% endset %}[{{ text }}]"), "[SHOUT]");
}

TEST(ChatTemplateStatementsTest, FilterBlock) {
  EXPECT_EQ(Render("{% filter upper %}abc {{ 'def' }}{% endfilter %}"), "ABC DEF");
}

TEST(ChatTemplateStatementsTest, MacroWithDefaults) {
  EXPECT_EQ(
      Render("{% macro greet(name, greeting='Hello', punct='!') %}{{ greeting }}, {{ name }}{{"
             " punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', 'Hi') }} {{ greet(name='C'"
             ", punct='?') }}"),
      "Hello, A! Hi, B! Hello, C?");
}

TEST(ChatTemplateStatementsTest, MacroDefaultSeesEarlierParameter) {
  EXPECT_EQ(Render("{% macro m(a, b=a * 2) %}{{ a }}-{{ b }}{% endmacro %}{{ m(3) }}"), "3-6");
}

TEST(ChatTemplateStatementsTest, MacroVarargsAndKwargs) {
  EXPECT_EQ(
      Render("{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4)"
             " }}"),
      "1(2, 3){'x': 4}");
}

TEST(ChatTemplateStatementsTest, MacroSeesTemplateVariablesAtCallTime) {
  EXPECT_EQ(
      Render("{% macro m() %}{{ x }}{% endmacro %}{% set x = 1 %}{{ m() }}{% set x = 2 %}{{ m("
             ") }}"),
      "12");
}

TEST(ChatTemplateStatementsTest, MacroRecursion) {
  EXPECT_EQ(
      Render("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %"
             "}{% endmacro %}{{ fact(5) }}"),
      "120");
}

TEST(ChatTemplateStatementsTest, CallBlockWithCaller) {
  EXPECT_EQ(
      Render("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call "
             "wrap('b') %}bold{% endcall %}"),
      "<b>bold</b>");
}

TEST(ChatTemplateStatementsTest, CallBlockWithCallerArguments) {
  EXPECT_EQ(
      Render("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacr"
             "o %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}"),
      "[1][2]");
}

TEST(ChatTemplateStatementsTest, WithScope) {
  EXPECT_EQ(Render("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]"), "3[]");
}

TEST(ChatTemplateStatementsTest, GenerationRendersItsBody) {
  EXPECT_EQ(Render("A{% generation %}B{{ 'C' }}{% endgeneration %}D"), "ABCD");
}

TEST(ChatTemplateStatementsTest, RawBlock) {
  EXPECT_EQ(Render("{% raw %}{{ not evaluated }}{% endraw %}"), "{{ not evaluated }}");
}

TEST(ChatTemplateStatementsTest, CommentsVanish) {
  EXPECT_EQ(Render("a{# comment #}b{#- trimmed -#}   c"), "abc");
}

TEST(ChatTemplateStatementsTest, PrintStatement) { EXPECT_EQ(Render("{% print 1 + 2 %}"), "3"); }

TEST(ChatTemplateWhitespaceTest, TrimBlocksRemovesNewlineAfterTag) {
  EXPECT_EQ(Render("{% if true %}\nyes\n{% endif %}\nafter"), "yes\nafter");
}

TEST(ChatTemplateWhitespaceTest, LstripBlocksRemovesIndentBeforeTag) {
  EXPECT_EQ(Render("a\n    {% if true %}\n    b\n    {% endif %}\nc"), "a\n    b\nc");
}

TEST(ChatTemplateWhitespaceTest, MinusStripsBothSides) {
  EXPECT_EQ(Render("a   {{- 'b' -}}   c  {%- if true -%}  d  {%- endif %}"), "abcd");
}

TEST(ChatTemplateWhitespaceTest, PlusDisablesLstrip) {
  EXPECT_EQ(Render("  {%+ if true %}x{% endif %}"), "  x");
}

TEST(ChatTemplateWhitespaceTest, PlusKeepsNewlineAfterBlock) {
  EXPECT_EQ(Render("{% if true +%}\nx{% endif %}"), "\nx");
}

TEST(ChatTemplateWhitespaceTest, ExpressionTagsDoNotTrimNewlines) {
  EXPECT_EQ(Render("{{ 'a' }}\n{{ 'b' }}\n"), "a\nb");
}

TEST(ChatTemplateWhitespaceTest, OneTrailingNewlineIsDropped) {
  EXPECT_EQ(Render("text\n\n"), "text\n");
}

TEST(ChatTemplateWhitespaceTest, CarriageReturnsBecomeNewlines) {
  EXPECT_EQ(Render("a\r\nb\rc"), "a\nb\nc");
}

TEST(ChatTemplateWhitespaceTest, LstripAppliesToComments) {
  EXPECT_EQ(Render("x\n   {# c #}\ny"), "x\ny");
}

TEST(ChatTemplateWhitespaceTest, IndentedBlockAfterExpressionKeepsSpaces) {
  EXPECT_EQ(Render("{{ 'a' }}   {% if true %}b{% endif %}"), "a   b");
}

TEST(ChatTemplateExpressionsTest, Literals) {
  EXPECT_EQ(
      Render("{{ 'single' }}|{{ \"double\" }}|{{ 'a' 'b' }}|{{ 42 }}|{{ 1_000 }}|{{ 0x1F }}|{{"
             " 3.5 }}|{{ 1e3 }}|{{ true }}{{ True }}{{ none }}{{ None }}"),
      "single|double|ab|42|1000|31|3.5|1000.0|TrueTrueNoneNone");
}

TEST(ChatTemplateExpressionsTest, StringEscapes) {
  EXPECT_EQ(Render("{{ 'tab\\tnl\\nq\\'\\\\' }}|{{ '\\u00e9\\x41\\101' }}|{{ '\\d' }}"),
            "tab\tnl\nq'\\|éAA|\\d");
}

TEST(ChatTemplateExpressionsTest, ListsTuplesDicts) {
  EXPECT_EQ(
      Render("{{ [1, 'a', none, true] }} {{ (1,) }} {{ (1, 2) }} {{ () }} {{ {'k': [1.5, {'n':"
             " none}]} }}"),
      "[1, 'a', None, True] (1,) (1, 2) () {'k': [1.5, {'n': None}]}");
}

TEST(ChatTemplateExpressionsTest, Arithmetic) {
  EXPECT_EQ(
      Render("{{ 7 + 2 }} {{ 7 - 2 }} {{ 7 * 2 }} {{ 7 / 2 }} {{ 8 / 2 }} {{ 7 // 2 }} {{ -7 /"
             "/ 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7.5 // 2 }} {{ -3"
             " }} {{ +3 }}"),
      "9 5 14 3.5 4.0 3 -4 1 2 1024 0.5 3.0 -3 3");
}

TEST(ChatTemplateExpressionsTest, IntegerAndFloatMix) {
  EXPECT_EQ(
      Render("{{ 1 + 1.0 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e15 }} {{ 0.00001 }} {{ 1 / 3 }} {{"
             " true + true }}"),
      "2.0 0.30000000000000004 1e+16 1000000000000000.0 1e-05 0.3333333333333333 2");
}

TEST(ChatTemplateExpressionsTest, StringAndListOperators) {
  EXPECT_EQ(
      Render("{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ 2 * [0] }} {{ [1] + [2, 3] }} {{ 'n=' ~ 3 ~ "
             "none ~ true }}"),
      "abcd ababab [0, 0] [1, 2, 3] n=3NoneTrue");
}

TEST(ChatTemplateExpressionsTest, Comparisons) {
  EXPECT_EQ(
      Render("{{ 1 == 1.0 }}{{ 'a' != 'b' }}{{ 1 < 2 < 3 }}{{ 3 > 2 > 2 }}{{ 'abc' < 'abd' }}{"
             "{ [1, 2] < [1, 3] }}{{ (1, 2) == (1, 2) }}{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1"
             "} }}"),
      "TrueTrueTrueFalseTrueTrueTrueTrue");
}

TEST(ChatTemplateExpressionsTest, InAndNotIn) {
  EXPECT_EQ(
      Render("{{ 'b' in 'abc' }}{{ 2 in [1, 2] }}{{ 'k' in d }}{{ 'q' not in d }}{{ 1 in (1, 2"
             ") }}{{ x in undefined_thing }}",
             "{\"d\": {\"k\": 1}}"),
      "TrueTrueTrueTrueTrueFalse");
}

TEST(ChatTemplateExpressionsTest, LogicReturnsOperands) {
  EXPECT_EQ(
      Render("{{ 0 or 'x' }}|{{ 'a' and 'b' }}|{{ '' and 'b' }}|{{ none or [] }}|{{ not 0 }}|{"
             "{ not 'a' }}"),
      "x|b||[]|True|False");
}

TEST(ChatTemplateExpressionsTest, ConditionalExpression) {
  EXPECT_EQ(Render("{{ 'y' if 1 else 'n' }}{{ 'y' if 0 else 'n' }}[{{ 'y' if 0 }}]"), "yn[]");
}

TEST(ChatTemplateExpressionsTest, AttributeAndSubscript) {
  EXPECT_EQ(Render("{{ d.a }}{{ d['a'] }}{{ l[0] }}{{ l[-1] }}{{ l.1 }}{{ d.missing }}{{ l[10] }}",
                   "{\"d\": {\"a\": \"A\"}, \"l\": [\"x\", \"y\"]}"),
            "AAxyy");
}

TEST(ChatTemplateExpressionsTest, AttributeBeforeItemForDicts) {
  EXPECT_EQ(
      Render("{{ d.items is defined }} {{ d['items'] }} {{ d.values is callable }} "
             "{{ d['values'] is callable }}",
             "{\"d\": {\"items\": \"key wins for subscript\", \"values\": \"attribute wins\"}}"),
      "True key wins for subscript True False");
}

TEST(ChatTemplateExpressionsTest, Slicing) {
  EXPECT_EQ(
      Render("{{ l[1:] }}{{ l[:2] }}{{ l[::-1] }}{{ l[::2] }}{{ l[-2:] }}{{ 'héllo'[1:4] }}{{ "
             "'abc'[::-1] }}{{ l[5:] }}",
             "{\"l\": [1, 2, 3, 4]}"),
      "[2, 3, 4][1, 2][4, 3, 2, 1][1, 3][3, 4]éllcba[]");
}

TEST(ChatTemplateExpressionsTest, FilterBindsTighterThanOperators) {
  EXPECT_EQ(Render("{{ 'a' + ' b '|trim + 'c' }}|{{ -2|abs }}|{{ 1 ~ 2|string }}"), "abc|2|12");
}

TEST(ChatTemplateExpressionsTest, UnicodeLength) {
  EXPECT_EQ(Render("{{ 'héllo 🙂'|length }}{{ 'é'[0] }}"), "7é");
}

TEST(ChatTemplateExpressionsTest, PythonStrOfValues) {
  EXPECT_EQ(Render("{{ [1.0, 'it\\'s', \"q\\\"\", none, true, {'a': (1,)}] }}"),
            "[1.0, \"it's\", 'q\"', None, True, {'a': (1,)}]");
}

TEST(ChatTemplateGlobalsTest, Range) {
  EXPECT_EQ(
      Render("{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(5, 0, -2)|list }} {{ rang"
             "e(0)|list }}"),
      "[0, 1, 2] [1, 3, 5] [5, 3, 1] []");
}

TEST(ChatTemplateGlobalsTest, DictAndNamespace) {
  EXPECT_EQ(
      Render("{{ dict(a=1, b=2) }} {{ dict([('x', 1)]) }} {% set ns = namespace(v=[]) %}{% set"
             " ns.v = ns.v + [1] %}{{ ns.v }}"),
      "{'a': 1, 'b': 2} {'x': 1} [1]");
}

TEST(ChatTemplateGlobalsTest, StrftimeNowUsesTheRenderTime) {
  EXPECT_EQ(Render("{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M:%S %A') }}"),
            "15 Sep 2024 2024-09-15 10:30:00 Sunday");
}

TEST(ChatTemplateGlobalsTest, Joiner) {
  EXPECT_EQ(
      Render("{% set comma = joiner(', ') %}{% for x in 'abc' %}{{ comma() }}{{ x }}{% endfor "
             "%}"),
      "a, b, c");
}

TEST(ChatTemplateGlobalsTest, GlobalsAreDefined) {
  EXPECT_EQ(
      Render("{{ raise_exception is defined }}{{ strftime_now is defined }}{{ namespace is def"
             "ined }}{{ range is defined }}{{ nope is defined }}"),
      "TrueTrueTrueTrueFalse");
}

}  // namespace
}  // namespace radixlm::engine::chat_test
