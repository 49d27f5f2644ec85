// Errors: syntax errors with their position, constructs we refuse, runtime errors carrying
// jinja2's message and the template line, raise_exception's exact message, the limits that stop
// runaway templates, and validation of the render inputs.
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/chat/chat_template_test_util.h"

namespace radixlm::engine::chat_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::Status ParseError(std::string_view source) {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source);
  return parsed.status();
}

absl::Status RenderError(std::string_view source, const ChatTemplateInputs& inputs = {},
                         ChatTemplateLimits limits = {}) {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source, limits);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> rendered = parsed->Render(inputs);
  return rendered.status();
}

std::string Message(const absl::Status& status) { return std::string(ToStd(status.message())); }

TEST(ChatTemplateSyntaxErrorTest, ReportsLineAndColumnOfTheBadToken) {
  absl::Status status = ParseError("line one\n{% for x in %}{% endfor %}");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            "chat template syntax error at line 2, column 13: expected an expression, got end of "
            "statement block '%}'");
}

TEST(ChatTemplateSyntaxErrorTest, UnclosedBlockNamesWhatWouldCloseIt) {
  EXPECT_EQ(Message(ParseError("{% if x %}\nabc")),
            "chat template syntax error at line 2, column 4: unexpected end of template; "
            "expected 'elif' or 'else' or 'endif' to close the 'if' block opened at line 1");
  EXPECT_THAT(
      Message(ParseError("{% for x in y %}{% endif %}")),
      HasSubstr("unexpected 'endif'; expected 'endfor' or 'else' to close the 'for' block"));
}

TEST(ChatTemplateSyntaxErrorTest, UnbalancedBracketsAndStrings) {
  EXPECT_THAT(Message(ParseError("{{ (1 ]}}")), HasSubstr("unexpected ']', expected ')'"));
  EXPECT_THAT(Message(ParseError("{{ 'open }}")), HasSubstr("unterminated string literal"));
  EXPECT_THAT(Message(ParseError("{{ 1 + }}")), HasSubstr("unexpected end of print statement"));
  EXPECT_THAT(Message(ParseError("{{ a b }}")), HasSubstr("expected end of print statement"));
  EXPECT_THAT(Message(ParseError("{# never closed")), HasSubstr("missing end of comment tag"));
}

TEST(ChatTemplateSyntaxErrorTest, UnknownFilterTestAndTagAreParseErrors) {
  // jinja2 rejects these when compiling, before any rendering; so do we.
  EXPECT_EQ(Message(ParseError("{% if false %}{{ x|nope }}{% endif %}")),
            "chat template syntax error at line 1, column 20: No filter named 'nope'.");
  EXPECT_THAT(Message(ParseError("{{ x is nope }}")), HasSubstr("No test named 'nope'."));
  EXPECT_THAT(Message(ParseError("{% frobnicate %}")),
              HasSubstr("Encountered unknown tag 'frobnicate'."));
}

TEST(ChatTemplateSyntaxErrorTest, UnsupportedConstructsAreNamedNeverIgnored) {
  EXPECT_THAT(Message(ParseError("{% include 'x.jinja' %}")),
              HasSubstr("the 'include' tag is not supported in chat templates"));
  EXPECT_THAT(Message(ParseError("{% extends 'base' %}")),
              HasSubstr("'extends' tag is not supported"));
  EXPECT_THAT(Message(ParseError("{{ items|groupby('a') }}")),
              HasSubstr("the 'groupby' filter is not supported in chat templates"));
  EXPECT_THAT(Message(ParseError("{% for x in y recursive %}{% endfor %}")),
              HasSubstr("recursive for loops are not supported"));
  EXPECT_THAT(Message(ParseError("{{ f(*args) }}")), HasSubstr("*args and **kwargs"));
  EXPECT_THAT(Render("{{ '{}'.format(1) }}"),
              HasSubstr("the str attribute 'format' is not supported in chat templates"));
}

TEST(ChatTemplateSyntaxErrorTest, BreakOutsideLoopIsRefused) {
  EXPECT_THAT(Message(ParseError("{% break %}")), HasSubstr("'break' outside of a for loop"));
  EXPECT_THAT(Message(ParseError("{% for x in y %}{% macro m() %}{% continue %}{% endmacro %}"
                                 "{% endfor %}")),
              HasSubstr("'continue' outside of a for loop"));
}

TEST(ChatTemplateSyntaxErrorTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  EXPECT_THAT(Message(ParseError(deep)), HasSubstr("nested too deeply"));
  std::string chain = "{{ 1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  EXPECT_THAT(Message(ParseError(chain + " }}")), HasSubstr("expression nested more than"));
  std::string blocks;
  for (int i = 0; i < 500; ++i) blocks += "{% if true %}";
  EXPECT_THAT(Message(ParseError(blocks)), HasSubstr("blocks nested more than"));
}

TEST(ChatTemplateSyntaxErrorTest, TemplateMustBeUtf8) {
  EXPECT_EQ(Message(ParseError("{{ 'a' }}\xff")), "the chat template is not valid UTF-8");
}

TEST(ChatTemplateRuntimeErrorTest, RaiseExceptionMessageIsExactlyTheTemplates) {
  absl::Status status = RenderError(
      "{% if true %}\n{{ raise_exception('Conversation roles must alternate user/assistant/...') "
      "}}{% endif %}");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "Conversation roles must alternate user/assistant/...");
}

TEST(ChatTemplateRuntimeErrorTest, RaiseExceptionInsideAMacroKeepsItsMessage) {
  EXPECT_EQ(Message(RenderError("{% macro check(x) %}{{ raise_exception('bad: ' ~ x) }}"
                                "{% endmacro %}{{ check(3) }}")),
            "bad: 3");
}

TEST(ChatTemplateRuntimeErrorTest, UndefinedUseCarriesJinjaMessageAndLine) {
  EXPECT_EQ(Message(RenderError("ok\n{{ x.y }}")),
            "chat template error at line 2: 'x' is undefined");
  EXPECT_EQ(Message(RenderError("{{ {'a': 1}.b.c }}")),
            "chat template error at line 1: 'dict object' has no attribute 'b'");
  EXPECT_EQ(Message(RenderError("{{ [1][5] + 1 }}")),
            "chat template error at line 1: list object has no element 5");
  // Printing, testing and iterating undefined values is fine, as in jinja2.
  EXPECT_EQ(Render("[{{ x }}][{{ x is defined }}][{% for i in x %}{% endfor %}][{{ x|length }}]"),
            "[][False][][0]");
}

TEST(ChatTemplateRuntimeErrorTest, TypeErrorsUsePythonsWords) {
  EXPECT_EQ(Render("{{ 1 + 'a' }}"),
            "ERROR: chat template error at line 1: unsupported operand type(s) for +: 'int' and "
            "'str'");
  EXPECT_EQ(Render("{{ 'a' + 1 }}"),
            "ERROR: chat template error at line 1: can only concatenate str (not \"int\") to str");
  EXPECT_EQ(Render("{{ 1 / 0 }}"), "ERROR: chat template error at line 1: division by zero");
  EXPECT_EQ(Render("{{ 1 < 'a' }}"),
            "ERROR: chat template error at line 1: '<' not supported between instances of 'int' "
            "and 'str'");
  EXPECT_EQ(Render("{% for x in 5 %}{% endfor %}"),
            "ERROR: chat template error at line 1: 'int' object is not iterable");
  EXPECT_EQ(Render("{{ x|tojson }}"),
            "ERROR: chat template error at line 1: Object of type Undefined is not JSON "
            "serializable");
}

TEST(ChatTemplateRuntimeErrorTest, SandboxRefusesMutation) {
  EXPECT_EQ(Render("{% set l = [1] %}{{ l.append(2) }}"),
            "ERROR: chat template error at line 1: access to attribute 'append' of 'list' object "
            "is unsafe.");
  EXPECT_EQ(Render("{% set d = {} %}{{ d.update({'a': 1}) }}"),
            "ERROR: chat template error at line 1: access to attribute 'update' of 'dict' object "
            "is unsafe.");
  EXPECT_EQ(
      Render("{% set d = {} %}{% set d.a = 1 %}"),
      "ERROR: chat template error at line 1: cannot assign attribute on non-namespace object");
}

TEST(ChatTemplateRuntimeErrorTest, SandboxRangeLimit) {
  EXPECT_EQ(Render("{{ range(200000)|length }}"),
            "ERROR: chat template error at line 1: Range too big. The sandbox blocks ranges "
            "larger than MAX_RANGE (100000).");
}

TEST(ChatTemplateLimitsTest, RunawayRecursionIsResourceExhausted) {
  absl::Status status = RenderError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(status), HasSubstr("maximum recursion depth exceeded"));
  EXPECT_THAT(Message(status), HasSubstr("max_call_depth"));
}

TEST(ChatTemplateLimitsTest, EndlessWorkIsStoppedByTheStepLimit) {
  ChatTemplateLimits limits;
  limits.max_steps = 10000;
  absl::Status status = RenderError(
      "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", {}, limits);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(status), HasSubstr("more than 10000 steps"));
}

TEST(ChatTemplateLimitsTest, OutputAndValueSizesAreBounded) {
  ChatTemplateLimits limits;
  limits.max_output_bytes = 1000;
  EXPECT_EQ(RenderError("{{ 'x' * 100000000000 }}", {}, limits).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RenderError("{% for i in range(2000) %}x{% endfor %}", {}, limits).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RenderError("{{ 'x'|center(1000000000000) }}", {}, limits).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RenderError("{{ (['abc'] * 100)|join('') * 100 }}", {}, limits).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(RenderError("{% for i in range(999) %}x{% endfor %}", {}, limits).ok());
}

TEST(ChatTemplateLimitsTest, IntegerOverflowIsAnError) {
  EXPECT_THAT(Render("{{ 2 ** 64 }}"), HasSubstr("integer overflow"));
  EXPECT_THAT(Render("{{ 9223372036854775807 + 1 }}"), HasSubstr("integer overflow"));
}

TEST(ChatTemplateInputsTest, TransformersVariablesAreDefined) {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(
      "{{ messages|length }} {{ tools is defined }} {{ tools is none }} {{ documents is none }} "
      "{{ add_generation_prompt }} [{{ bos_token }}] {{ bos_token is defined }} {{ eos_token }}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ChatTemplateInputs inputs;
  inputs.messages = nlohmann::ordered_json::parse(R"([{"role": "user", "content": "hi"}])");
  inputs.eos_token = "</s>";
  inputs.add_generation_prompt = true;
  absl::StatusOr<std::string> rendered = parsed->Render(inputs);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  EXPECT_EQ(*rendered, "1 True True True True [] False </s>");
}

TEST(ChatTemplateInputsTest, ToolKeysKeepTheRequestsOrder) {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse("{{ tools|tojson }}");
  ASSERT_TRUE(parsed.ok());
  ChatTemplateInputs inputs;
  inputs.tools = nlohmann::ordered_json::parse(R"([{"z": 1, "a": {"y": 2.0, "b": null}}])");
  EXPECT_EQ(*parsed->Render(inputs), R"([{"z": 1, "a": {"y": 2.0, "b": null}}])");
}

TEST(ChatTemplateInputsTest, ExtraKwargsAreValidated) {
  ChatTemplateInputs inputs;
  inputs.extra_kwargs = nlohmann::ordered_json::parse(R"({"messages": []})");
  EXPECT_THAT(Message(RenderError("x", inputs)), HasSubstr("would replace the argument"));
  inputs.extra_kwargs = nlohmann::ordered_json::array();
  EXPECT_THAT(Message(RenderError("x", inputs)), HasSubstr("must be a JSON object"));
  inputs.extra_kwargs = nlohmann::ordered_json::parse(R"({"bos_token": "<override>"})");
  inputs.bos_token = "<s>";
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse("{{ bos_token }}");
  EXPECT_EQ(*parsed->Render(inputs), "<override>");
}

TEST(ChatTemplateInputsTest, InvalidUtf8AndExcessiveNestingAreRejected) {
  ChatTemplateInputs inputs;
  inputs.messages = nlohmann::ordered_json::array();
  inputs.messages.push_back({{"role", "user"}, {"content", std::string("bad \xc3")}});
  EXPECT_EQ(Message(RenderError("x", inputs)), "messages[0].content is not valid UTF-8");
  nlohmann::ordered_json deep = nlohmann::ordered_json::array();
  for (int i = 0; i < 1000; ++i) deep = nlohmann::ordered_json::array({deep});
  inputs.messages = deep;
  EXPECT_THAT(Message(RenderError("x", inputs)), HasSubstr("nested more than"));
}

TEST(ChatTemplateConcurrencyTest, ConcurrentRendersOfOneTemplateAgree) {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(
      "{% set ns = namespace(n=0) %}{% macro m(x) %}<{{ x }}>{% endmacro %}"
      "{% for msg in messages %}{% set ns.n = ns.n + 1 %}{{ m(msg.content) }}{% endfor %}"
      "{{ ns.n }}");
  ASSERT_TRUE(parsed.ok());
  ChatTemplateInputs inputs;
  inputs.messages = nlohmann::ordered_json::parse(R"([{"content": "a"}, {"content": "b"}])");
  std::vector<std::string> outputs(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < outputs.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) outputs[t] = parsed->Render(inputs).value_or("failed");
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& output : outputs) EXPECT_EQ(output, "<a><b>2");
}

}  // namespace
}  // namespace radixlm::engine::chat_test
