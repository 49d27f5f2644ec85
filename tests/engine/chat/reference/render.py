#!/usr/bin/env python3
"""Renders chat templates with the real jinja2, the way transformers' apply_chat_template does.

The environment copies transformers' _compile_jinja_template
(src/transformers/utils/chat_template_utils.py): an ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks and the loopcontrols extension, transformers' own `tojson` filter, the
`raise_exception` and `strftime_now` globals, and a `{% generation %}` tag that renders its body
(transformers' AssistantTracker, without the index tracking). Templates get exactly the variables
transformers passes: messages, tools, documents, add_generation_prompt, the special tokens and
the extra kwargs.

strftime_now formats a fixed time (the cases file's "local_time") so outputs are reproducible.

Usage:
  render.py CASES_JSON OUTPUT_JSON

CASES_JSON:
  {"local_time": "2024-09-15T10:30:00",
   "templates": {"<name>": "<template source>", ...},
   "cases": [{"id": "...", "template": "<name>",
              "messages": [...], "tools": null, "documents": null,
              "add_generation_prompt": true,
              "special_tokens": {"bos_token": "<s>", ...},
              "kwargs": {...}}, ...]}
OUTPUT_JSON:
  {"<id>": {"output": "..."} or {"error": "<message>", "error_type": "<exception class>"}, ...}
"""

import datetime
import json
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment


class GenerationTag(jinja2.ext.Extension):
    """transformers' AssistantTracker tag: `{% generation %}body{% endgeneration %}` renders body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render_body"), [], [], body).set_lineno(
            lineno
        )

    @jinja2.pass_eval_context
    def _render_body(self, context, caller):
        return caller()


def make_environment(local_time):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(
            x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
        )

    def strftime_now(format):
        return local_time.strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render_case(env, compiled, case):
    kwargs = dict(case.get("special_tokens") or {})
    kwargs.update(case.get("kwargs") or {})
    try:
        template = compiled[case["template"]]
        if isinstance(template, Exception):
            raise template
        output = template.render(
            messages=case["messages"],
            tools=case.get("tools"),
            documents=case.get("documents"),
            add_generation_prompt=case.get("add_generation_prompt", False),
            **kwargs,
        )
        return {"output": output}
    except Exception as e:  # Every failure is a result to compare, not a crash.
        return {"error": str(e), "error_type": type(e).__name__}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    local_time = datetime.datetime.fromisoformat(spec.get("local_time", "2024-09-15T10:30:00"))
    env = make_environment(local_time)
    compiled = {}
    for name, source in spec["templates"].items():
        try:
            compiled[name] = env.from_string(source)
        except Exception as e:
            compiled[name] = e
    results = {case["id"]: render_case(env, compiled, case) for case in spec["cases"]}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
