#!/usr/bin/env python3
"""Regenerates tests/engine/chat/testdata/expected/*.json with the real jinja2 (via render.py).

Every template in testdata/templates.json is rendered with every conversation in
testdata/conversations.json; the results (output text, or the error jinja2 raised) become the
fixtures chat_template_fixtures_test compares our interpreter against without needing Python.

Usage: update_fixtures.py   (run after changing templates or conversations)
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(os.path.dirname(HERE), "testdata")
sys.path.insert(0, HERE)

import render  # noqa: E402

# The instant strftime_now() formats in every fixture; chat_template tests use the same.
LOCAL_TIME = "2024-09-15T10:30:00"


def build_cases():
    with open(os.path.join(TESTDATA, "templates.json"), encoding="utf-8") as f:
        templates = json.load(f)
    with open(os.path.join(TESTDATA, "conversations.json"), encoding="utf-8") as f:
        conversations = json.load(f)
    sources = {}
    cases = []
    for template in templates:
        name = template["name"]
        with open(os.path.join(TESTDATA, "templates", name + ".jinja"), encoding="utf-8") as f:
            sources[name] = f.read()
        for conversation in conversations:
            case = dict(conversation)
            case["id"] = name + "/" + conversation["id"]
            case["template"] = name
            if "special_tokens" not in conversation:
                case["special_tokens"] = template["special_tokens"]
            cases.append(case)
    return {"local_time": LOCAL_TIME, "templates": sources, "cases": cases}


def main():
    import datetime

    spec = build_cases()
    env = render.make_environment(datetime.datetime.fromisoformat(spec["local_time"]))
    compiled = {name: env.from_string(source) for name, source in spec["templates"].items()}
    by_template = {}
    for case in spec["cases"]:
        result = render.render_case(env, compiled, case)
        conversation = case["id"].split("/", 1)[1]
        by_template.setdefault(case["template"], {})[conversation] = result
    out_dir = os.path.join(TESTDATA, "expected")
    os.makedirs(out_dir, exist_ok=True)
    for name, results in by_template.items():
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
    print(f"wrote {len(by_template)} fixture files to {out_dir}")


if __name__ == "__main__":
    main()
