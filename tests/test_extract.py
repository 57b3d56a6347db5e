"""Code extraction and environment detection: table-driven cases, upstream regressions, fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SHARED_DATA
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from codearena.environments import ENVIRONMENTS
from codearena.extract import (
    Extraction,
    detect_language,
    extract,
    fenced_blocks,
    has_jsx,
    is_mermaid,
    java_class_name,
    looks_typescript,
    normalise_language,
)

FIXTURES = Path(__file__).parent / "data" / "extract"
T = "`" * 3  # a fence, written this way so this file's own fences never confuse an editor


def fence(tag: str, body: str, ticks: str = T) -> str:
    return f"{ticks}{tag}\n{body}\n{ticks}"


def answer(*parts: str) -> str:
    """Blocks with explanation text around them, as models write."""
    return "Here is my solution.\n\n" + "\n\nSome explanation.\n\n".join(parts) + "\n\nHope it helps!"


PYGAME = """import asyncio
import pygame

st = 0  # a score counter that happens to be called st
async def main():
    global st
    pygame.init()
    screen = pygame.display.set_mode((320, 240))
    while True:
        st += 1
        await asyncio.sleep(0)

asyncio.run(main())"""

GRADIO = """import gradio as gr

def greet(name):
    return "Hello " + name

gr.Interface(fn=greet, inputs="text", outputs="text").launch()"""

STREAMLIT = """import streamlit as st
import pandas as pd

st.title("Sales")
st.dataframe(pd.DataFrame({"a": [1, 2]}))"""

REACT_JSX = """import React, { useState } from 'react';
import { LineChart, Line } from 'recharts';

export default function App() {
  const [n, setN] = useState(0);
  return (
    <div className="p-4">
      <button onClick={() => setN(n + 1)}>Clicked {n} times</button>
      <LineChart width={300} height={200} data={[]}><Line dataKey="v" /></LineChart>
    </div>
  );
}"""

REACT_TSX = """import React, { useState } from 'react';

interface Props { title?: string }

const App: React.FC<Props> = ({ title = "Todo" }) => {
  const [items, setItems] = useState<string[]>([]);
  return <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>;
};
export default App;"""

JSX_NO_IMPORT = """function Counter() {
  const [c, setC] = useState(0);
  return (
    <main>
      <Header title="hi" />
      <p>{c}</p>
    </main>
  );
}
export default Counter;"""

JS_INNERHTML = """// Builds a table with strings of HTML; this is not JSX.
const rows = [1, 2, 3].map((n) => `<tr><td>${n}</td></tr>`).join("");
const html = "<div class='x'>" + rows + "</div>";
if (rows.length < 10 && html.length > 2) {
  console.log(html);
}
const re = /<div>'/g;
console.log("<span>done</span>".replace(re, ""));"""

JS_VUE_LOOKALIKE = """// Spreadsheet-like cells: plain JavaScript with functions that happen to share Vue's names.
function ref(v) { return { value: v }; }
function computed(fn) { return { get value() { return fn(); } }; }
function watch(src, cb) { cb(src.value); }
const a = ref(2);
const double = computed(() => a.value * 2);
watch(double, (v) => console.log("double is", v));
onMounted = null;"""

TS_VUE_IMPORT = """import { createApp, ref } from 'vue';

const count = ref<number>(0);
createApp({
  setup() { return { count }; },
  template: '<button @click="count++">{{ count }}</button>',
}).mount('#app');"""

VUE_SFC_TS = """<template>
  <div class="p-4">
    <button @click="count++">Count: {{ count }}</button>
  </div>
</template>

<script setup lang="ts">
import { ref } from 'vue';
import dayjs from 'dayjs';
const count = ref<number>(0);
</script>

<style scoped>
.p-4 { padding: 1rem; }
</style>"""

VUE_GLOBAL = """const { createApp } = Vue;
Vue.createApp({
  data() { return { message: 'Hello' }; },
}).mount('#app');"""

VUE_OPTIONS = """export default {
  name: 'Counter',
  data() {
    return { n: 0 };
  },
  methods: {
    inc() { this.n++; },
  },
  template: `<button @click="inc">{{ n }}</button>`,
};"""

HTML_DOC = """<!DOCTYPE html>
<html lang="en">
<head>
  <script src="https://cdn.jsdelivr.net/npm/chart.js@4.4.0/dist/chart.umd.min.js"></script>
  <script src="https://unpkg.com/@babel/standalone/babel.min.js"></script>
  <link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.5.0/css/all.min.css">
</head>
<body><canvas id="c"></canvas>
<script>new Chart(document.getElementById('c'), {type: 'bar', data: {}});</script>
</body>
</html>"""

HTML_REACT_CDN = """<!DOCTYPE html>
<html><head>
<script src="https://unpkg.com/react@18/umd/react.development.js"></script>
<script src="https://unpkg.com/react-dom@18/umd/react-dom.development.js"></script>
</head><body><div id="root"></div>
<script type="text/babel">
function App() { return <h1>Hello</h1>; }
ReactDOM.createRoot(document.getElementById('root')).render(<App />);
</script></body></html>"""

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">
  <circle cx="50" cy="50" r="40" fill="tomato" />
</svg>"""

MERMAID = """graph TD
    A[Start] --> B{Is it?}
    B -->|Yes| C[OK]
    B -->|No| D[End]"""

C_CODE = """#include <stdio.h>
#include <math.h>

int main(void) {
    printf("%f\\n", sqrt(2.0));
    return 0;
}"""

CPP_CODE = """#include <iostream>
#include <vector>

int main() {
    std::vector<int> v{1, 2, 3};
    for (int x : v) std::cout << x << "\\n";
    return 0;
}"""

JAVA_CODE = """import java.util.*;

public final class Solver {
    public static void main(String[] args) {
        System.out.println("42");
    }
}"""

GO_CODE = """package main

import "fmt"

func main() {
\tfmt.Println("hello")
}"""

RUST_CODE = """use std::collections::HashMap;

fn main() {
    let mut m = HashMap::new();
    m.insert("a", 1);
    println!("{:?}", m);
}"""

CSHARP_CODE = """using System;
class Program {
    static void Main() { Console.WriteLine("hi"); }
}"""

PY_RUNNER = """import numpy as np
from collections import Counter

def stats(xs):
    return np.mean(xs), Counter(xs).most_common(1)

if __name__ == "__main__":
    print(stats([1, 2, 2, 3]))"""

LONG_CSS = "\n".join(f".c{i} {{ color: red; margin: {i}px; padding: {i}px; }}" for i in range(40))
LONG_JSON = json.dumps({f"key{i}": list(range(10)) for i in range(30)}, indent=2)
LONG_TEXT = "\n".join(f"Output line {i}: value = {i * i}" for i in range(60))


# (id, answer, expected fields). `code` in expected: exact string; `code_has`: substrings.
CASES: list[tuple[str, str, dict]] = [
    # ---- Python family
    ("python-runner", answer(fence("python", PY_RUNNER)),
     dict(env="python", language="python", pip=["numpy"], code=PY_RUNNER)),
    ("py-tag-normalised", fence("py", "print('hi')"), dict(env="python", language="python")),
    ("python3-tag-normalised", fence("python3", "print('hi')"), dict(env="python", language="python")),
    ("pygame-import", answer(fence("python", PYGAME)), dict(env="pygame", language="python", pip=["pygame"])),
    # upstream bug 10: a variable named st/gr overrode the imports
    ("bug10-pygame-with-st-variable", fence("python", PYGAME), dict(env="pygame")),
    ("bug10-pygame-with-gr-variable", fence("python", PYGAME.replace("st", "gr")), dict(env="pygame")),
    ("bug10-plain-python-with-st-and-gr", fence("python", "st = 1\ngr = 2\nprint(st + gr)"),
     dict(env="python", pip=[])),
    ("gradio-import", fence("python", GRADIO), dict(env="gradio", pip=["gradio"])),
    ("gradio-from-import",
     fence("python", "from gradio import Blocks\nwith Blocks() as demo:\n    pass\ndemo.launch()"),
     dict(env="gradio")),
    ("streamlit-import", fence("python", STREAMLIT), dict(env="streamlit", pip=["pandas", "streamlit"])),
    ("streamlit-beats-pygame", fence("python", "import pygame\nimport streamlit as st\nst.write(1)"),
     dict(env="streamlit")),
    ("gradio-beats-streamlit", fence("python", "import streamlit\nimport gradio as gr\ngr.Blocks()"),
     dict(env="gradio")),
    ("gradio-tag-without-imports-is-runner", fence("gradio", "print(1)"), dict(env="python", language="python")),
    ("python-syntax-error-still-detects-imports",
     fence("python", "import streamlit as st\nst.title('x'\nfor i in range(3) print(i)"),
     dict(env="streamlit", pip=["streamlit"])),
    # upstream bug 14: import names are not distribution names
    ("bug14-distribution-names",
     fence("python", "import cv2\nimport sklearn.cluster\nfrom PIL import Image\nimport yaml, bs4\nimport os, json\n"
                     "from dateutil import parser\nprint(1)"),
     dict(env="python", pip=["beautifulsoup4", "opencv-python", "pillow", "python-dateutil", "pyyaml",
                              "scikit-learn"])),
    # upstream bug 15: an explicit pygame-ce must not bring pygame as well
    ("bug15-pygame-ce-not-both",
     fence("python", "# pip install pygame-ce\nimport pygame\npygame.init()"),
     dict(env="pygame", pip=["pygame-ce"], code="import pygame\npygame.init()")),
    ("bug15-pygame-ce-from-bash-block",
     answer(fence("bash", "pip install pygame-ce numpy"), fence("python", PYGAME)),
     dict(env="pygame", pip=["numpy", "pygame-ce"])),
    ("inline-pip-magic-removed",
     fence("python", "!pip install gradio==4.44.0 plotly\nimport gradio as gr\ngr.Blocks()"),
     dict(env="gradio", pip=["gradio", "plotly"], code="import gradio as gr\ngr.Blocks()")),
    ("inline-pip-comment-with-prose",
     fence("python", "# Requirements: pip install requests rich if you don't have them\nimport requests\nprint(1)"),
     dict(env="python", pip=["requests", "rich"], code="import requests\nprint(1)")),
    ("bash-pip-block-plus-python",
     answer(fence("bash", "pip install streamlit plotly==5.22 --upgrade"), fence("python", STREAMLIT)),
     dict(env="streamlit", pip=["pandas", "plotly", "streamlit"], code=STREAMLIT, n_blocks=2)),
    ("requirements-block",
     answer(fence("python", GRADIO), fence("requirements", "gradio>=4\nscikit-learn==1.5  # ml\n-r other.txt")),
     dict(env="gradio", pip=["gradio", "scikit-learn"])),
    ("inline-code-span-in-prose",
     f"Install with `pip install plotly` and `npm i lodash` first.\n\n{fence('python', 'print(1)')}",
     dict(env="python", pip=["plotly"], npm=["lodash"])),
    # ---- React / Vue / JavaScript
    ("react-jsx-tag", answer(fence("jsx", REACT_JSX)),
     dict(env="react", language="javascript", npm=["react", "recharts"])),
    ("react-tsx-tag", fence("tsx", REACT_TSX), dict(env="react", language="typescript", npm=["react"])),
    ("react-tag-ts-content", fence("react", REACT_TSX), dict(env="react", language="typescript")),
    ("react-tag-js-content", fence("react", REACT_JSX), dict(env="react", language="javascript")),
    ("javascript-importing-react", fence("javascript", REACT_JSX), dict(env="react", language="javascript")),
    ("js-jsx-without-import", fence("js", JSX_NO_IMPORT), dict(env="react", language="javascript")),
    ("js-html-strings-are-not-jsx", fence("javascript", JS_INNERHTML),
     dict(env="javascript", language="javascript", npm=[])),
    # upstream bug 11: ref(/computed(/watch( alone made plain JS "Vue"
    ("bug11-vue-lookalike-js", fence("javascript", JS_VUE_LOOKALIKE), dict(env="javascript")),
    ("bug11-vue-lookalike-ts", fence("typescript", JS_VUE_LOOKALIKE), dict(env="javascript", language="typescript")),
    ("ts-importing-vue", fence("typescript", TS_VUE_IMPORT), dict(env="vue", language="typescript", npm=["vue"])),
    ("vue-sfc-script-setup-ts", fence("vue", VUE_SFC_TS), dict(env="vue", language="vue", npm=["dayjs", "vue"])),
    ("js-tagged-vue-sfc", fence("javascript", VUE_SFC_TS), dict(env="vue", language="vue")),
    ("html-tagged-vue-sfc", fence("html", VUE_SFC_TS), dict(env="vue", language="vue")),
    ("vue-global-createApp", fence("js", VUE_GLOBAL), dict(env="vue", language="javascript")),
    ("vue-options-api", fence("javascript", VUE_OPTIONS), dict(env="vue", language="javascript")),
    ("node-runner",
     fence("node", "const fs = require('fs');\nconst _ = require('lodash/fp');\nconsole.log(_.sum([1]));"),
     dict(env="javascript", language="javascript", npm=["lodash"])),
    ("js-npm-from-bash", answer(fence("bash", "npm install recharts lucide-react@0.400"), fence("jsx", REACT_JSX)),
     dict(env="react", npm=["lucide-react", "react", "recharts"])),
    ("npm-init-is-not-a-package",
     answer(fence("bash", "npm init -y\nnpm info react\nnpm i -D vite"), fence("jsx", REACT_JSX)),
     dict(env="react", npm=["react", "recharts", "vite"])),
    # ---- HTML
    ("html-document", answer(fence("html", HTML_DOC)),
     dict(env="html", language="html", npm=["@babel/standalone", "@fortawesome/fontawesome-free", "chart.js"])),
    # upstream bug 12: an html fragment became React
    ("bug12-html-fragment", fence("html", "<div>hi</div>"), dict(env="html", language="html")),
    ("html-fragment-with-script",
     fence("html", "<div id='app'></div>\n<script>document.getElementById('app').textContent = 'x';</script>"),
     dict(env="html")),
    ("javascript-tagged-html-document", fence("javascript", HTML_DOC), dict(env="html", language="html")),
    ("jsx-tagged-html-page-with-react-cdn", fence("jsx", HTML_REACT_CDN),
     dict(env="html", language="html", npm=["react", "react-dom"])),
    ("svg-tag", fence("svg", SVG), dict(env="html", language="svg")),
    ("xml-tagged-svg", fence("xml", '<?xml version="1.0"?>\n' + SVG), dict(env="html", language="svg")),
    ("xml-data-is-not-runnable", fence("xml", "<config><a>1</a></config>"), dict(env=None, language="xml")),
    ("untagged-svg", fence("", SVG), dict(env="html", language="svg")),
    ("untagged-html-document", fence("", HTML_DOC), dict(env="html", language="html")),
    # ---- Mermaid
    ("mermaid-tag", fence("mermaid", MERMAID), dict(env="mermaid", language="mermaid", code=MERMAID)),
    ("mmd-tag", fence("mmd", "sequenceDiagram\n  Alice->>Bob: Hi"), dict(env="mermaid", language="mermaid")),
    ("untagged-graph", fence("", MERMAID), dict(env="mermaid", language="mermaid")),
    ("untagged-sequence-diagram", fence("", "%% a comment\nsequenceDiagram\n  A->>B: hi"), dict(env="mermaid")),
    ("untagged-pie", fence("", 'pie title Pets\n  "Dogs" : 386\n  "Cats" : 85'), dict(env="mermaid")),
    # ---- compiled runners
    ("c-tag", fence("c", C_CODE), dict(env="c", language="c")),
    ("c-tag-on-cpp-code", fence("c", CPP_CODE), dict(env="cpp", language="cpp")),
    ("cpp-tag", fence("cpp", CPP_CODE), dict(env="cpp", language="cpp")),
    ("c++-tag", fence("c++", CPP_CODE), dict(env="cpp", language="cpp")),
    ("cc-tag", fence("cc", CPP_CODE), dict(env="cpp", language="cpp")),
    ("cxx-tag", fence("cxx", CPP_CODE), dict(env="cpp", language="cpp")),
    ("java-tag", fence("java", JAVA_CODE), dict(env="java", language="java")),
    ("go-tag", fence("go", GO_CODE), dict(env="go", language="go", code=GO_CODE)),
    ("golang-tag", fence("golang", GO_CODE), dict(env="go", language="go")),
    ("rust-tag", fence("rust", RUST_CODE), dict(env="rust", language="rust")),
    ("rs-tag", fence("rs", RUST_CODE), dict(env="rust", language="rust")),
    ("untagged-c", fence("", C_CODE), dict(env="c", language="c")),
    ("untagged-cpp", fence("", CPP_CODE), dict(env="cpp", language="cpp")),
    ("untagged-java", fence("", JAVA_CODE), dict(env="java", language="java")),
    ("untagged-go", fence("", GO_CODE), dict(env="go", language="go")),
    ("untagged-rust", fence("", RUST_CODE), dict(env="rust", language="rust")),
    ("untagged-python", fence("", PY_RUNNER), dict(env="python", language="python", pip=["numpy"])),
    ("untagged-pygame", fence("", PYGAME), dict(env="pygame", language="python")),
    ("untagged-unknown", fence("", "just some words\nand more words"),
     dict(env=None, language=None, code="just some words\nand more words")),
    # ---- unknown languages keep their code
    ("csharp", fence("csharp", CSHARP_CODE), dict(env=None, language="csharp", code=CSHARP_CODE)),
    ("cs-alias", fence("cs", CSHARP_CODE), dict(env=None, language="csharp")),
    ("kotlin", fence("kotlin", 'fun main() {\n    println("hi")\n}'), dict(env=None, language="kotlin")),
    ("untagged-kotlin-is-not-python", fence("", "import kotlin.math.sqrt\n\nfun main() {\n    println(sqrt(2.0))\n}"),
     dict(env=None, language=None)),
    # upstream bug 13: the longest block won even if it was data
    ("bug13-css-longer-than-html", answer(fence("html", "<div class='c1'>hi</div>"), fence("css", LONG_CSS)),
     dict(env="html", code="<div class='c1'>hi</div>")),
    ("bug13-json-longer-than-python", answer(fence("python", "import json\nprint(json.load(open('d.json')))"),
                                             fence("json", LONG_JSON)),
     dict(env="python")),
    ("bug13-text-output-longer", answer(fence("go", GO_CODE), fence("text", LONG_TEXT)), dict(env="go")),
    ("bug13-yaml-longer", answer(fence("rust", RUST_CODE), fence("yaml", "a: 1\n" * 200)), dict(env="rust")),
    ("bug13-untagged-output-longer", answer(fence("java", JAVA_CODE), fence("", LONG_TEXT)), dict(env="java")),
    ("runnable-beats-longer-unknown-language", answer(fence("python", "print(1)"), fence("sql", "SELECT 1;\n" * 50)),
     dict(env="python", code="print(1)")),
    ("only-data", fence("json", '{"a": 1}'), dict(env=None, language="json", code='{"a": 1}')),
    ("only-shell", fence("sh", "pip install numpy\npython app.py"),
     dict(env=None, language="bash", pip=["numpy"], code="pip install numpy\npython app.py")),
    # ---- fences
    ("quadruple-fence-with-inner-triple",
     fence("markdown", f"# Readme\n{T}python\nprint(1)\n{T}\nEnd.", ticks="````"),
     dict(language="markdown", code=f"# Readme\n{T}python\nprint(1)\n{T}\nEnd.")),
    ("python-with-backticks-in-string",
     fence("python", f'FENCE = "{T}"\nprint(FENCE * 2)\ntext = "a {T} b"'),
     dict(env="python", code=f'FENCE = "{T}"\nprint(FENCE * 2)\ntext = "a {T} b"')),
    ("python-with-nested-fenced-example",
     fence("python", f'DOC = """\n{T}python\nprint(1)\n{T}\n"""\nimport streamlit as st\nst.markdown(DOC)'),
     dict(env="streamlit", code_has=["st.markdown(DOC)", f"{T}python"], n_blocks=1)),
    ("unterminated-final-fence", f"Here you go:\n\n{T}python\nimport gradio as gr\ngr.Blocks().launch()\n",
     dict(env="gradio", code="import gradio as gr\ngr.Blocks().launch()", n_blocks=1)),
    ("tilde-fence", "~~~rust\n" + RUST_CODE + "\n~~~", dict(env="rust", code=RUST_CODE)),
    ("indented-fence-in-list",
     "1. Save this:\n\n   " + T + "python\n   def f():\n       return 1\n   print(f())\n   " + T,
     dict(env="python", code="def f():\n    return 1\nprint(f())")),
    ("filename-tag-jsx", fence("App.jsx", REACT_JSX), dict(env="react", language="javascript")),
    ("filename-tag-py", fence("main.py", PY_RUNNER), dict(env="python", language="python")),
    ("tag-with-attributes", fence('python title="app.py"', GRADIO), dict(env="gradio", language="python")),
    ("tag-with-colon-filename", fence("python:app.py", STREAMLIT), dict(env="streamlit")),
    ("uppercase-tag", fence("Python", "print(1)"), dict(env="python", language="python")),
    ("no-blocks", "I cannot write code for that.", dict(env=None, language=None, code=None, n_blocks=0)),
    ("empty-block", fence("python", ""), dict(env=None, code=None, n_blocks=1)),
    ("pip-only-python-block", fence("python", "!pip install numpy"), dict(env=None, code=None, pip=["numpy"])),
    ("longest-of-several-python-blocks",
     answer(fence("python", "print(1)"), fence("python", PY_RUNNER), fence("python", "print(2)")),
     dict(env="python", code=PY_RUNNER, n_blocks=3)),
    ("think-drafts-ignored",
     "<think>\nDraft:\n" + fence("javascript", "console.log('draft draft draft draft draft draft')") + "\n</think>\n"
     + fence("python", "print('final')"),
     dict(env="python", code="print('final')", n_blocks=1)),
]


@pytest.mark.parametrize("answer_text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract_table(answer_text: str, expected: dict) -> None:
    result = extract(answer_text)
    assert isinstance(result, Extraction)
    if "env" in expected:
        assert (result.environment.slug if result.environment else None) == expected["env"]
    if "language" in expected:
        assert result.language == expected["language"]
    if "code" in expected:
        assert result.code == expected["code"]
    for part in expected.get("code_has", []):
        assert part in result.code
    if "pip" in expected:
        assert result.dependencies["pip"] == expected["pip"]
    if "npm" in expected:
        assert result.dependencies["npm"] == expected["npm"]
    if "n_blocks" in expected:
        assert result.n_blocks == expected["n_blocks"]
    assert result.dependencies["pip"] == sorted(set(result.dependencies["pip"]))
    assert result.dependencies["npm"] == sorted(set(result.dependencies["npm"]))


def test_every_environment_is_covered_by_the_table() -> None:
    covered = {c[2].get("env") for c in CASES}
    assert {e.slug for e in ENVIRONMENTS} <= covered


def test_environment_object_is_the_registered_one() -> None:
    result = extract(fence("cpp", CPP_CODE))
    assert result.environment is not None
    assert (result.environment.name, result.environment.kind) == ("C++ Runner", "runner")
    assert extract(fence("python", PYGAME)).environment.name == "PyGame"


@pytest.mark.parametrize(
    "tag, language",
    [("py", "python"), ("python3", "python"), ("js", "javascript"), ("node", "javascript"), ("jsx", "javascript"),
     ("ts", "typescript"), ("tsx", "typescript"), ("golang", "go"), ("rs", "rust"), ("c++", "cpp"), ("cxx", "cpp"),
     ("mmd", "mermaid"), ("htm", "html"), ("yml", "yaml"), ("txt", "text"), ("md", "markdown"), ("zsh", "bash"),
     ("C#", "csharp"), ("language-python", "python"), ("App.tsx", "typescript"), ("{python}", "python"),
     ("Fortran", "fortran"), ("", None), ("react", None)],
)
def test_normalise_language(tag: str, language: str | None) -> None:
    assert normalise_language(tag) == language


@pytest.mark.parametrize(
    "code, expected",
    [
        ("function A() {\n  return (\n    <div>\n      <p>Don't stop</p>\n    </div>\n  );\n}", True),
        ("const el = <Foo bar={1} />;", True),
        ("const f = () => <>\n  <A />\n</>;", True),
        ("const id = <T,>(x: T): T => x;\nconst g = <T>(x: T) => x;", False),  # TS generics
        ("if (a < b && c > d) { x = (y<z) ? 1 : 2; }\nfor (let i = 0; i < n; i++) {}", False),
        ("el.innerHTML = `<div class=\"a\">${x}</div>`;\nconst s = '<b>x</b>';", False),
        ("// return <div>commented</div>\nconsole.log(1);", False),
    ],
)
def test_has_jsx(code: str, expected: bool) -> None:
    assert has_jsx(code) is expected


@pytest.mark.parametrize(
    "code, expected",
    [
        ("const x: number = 5;", True),
        ("interface Props { a: string }", True),
        ("type Id = string | number;", True),
        ("function f(a: string, b?: number) {}", True),
        ("export default function App(): JSX.Element { return null; }", True),
        ("const [s, setS] = useState<string[]>([]);", True),
        ("const el = document.getElementById('x') as HTMLCanvasElement;", True),
        ("const o = { a: 1, b: 'x: string' };\nfoo({ name: value });\nconst t = c ? a : b;", False),
        ("import {\n  Foo as Bar,\n} from 'x';\nexport { A as B } from 'z';\nBar();", False),
        ("// const x: number = 5;\nlet y = 1;", False),
    ],
)
def test_looks_typescript(code: str, expected: bool) -> None:
    assert looks_typescript(code) is expected


@pytest.mark.parametrize(
    "code, expected",
    [
        (MERMAID, True),
        ("---\ntitle: Flow\n---\nflowchart LR\n  A --> B", True),
        ("%%{init: {'theme': 'dark'}}%%\nclassDiagram\n  A <|-- B", True),
        ("stateDiagram-v2\n  [*] --> S", True),
        ("gantt\n  title Plan", True),
        ("timeline = []\nfor x in y:\n    pass", False),
        ("graph = build_graph()\nprint(graph)", False),
        ("", False),
    ],
)
def test_is_mermaid(code: str, expected: bool) -> None:
    assert is_mermaid(code) is expected


@pytest.mark.parametrize(
    "code, language",
    [
        ("import os\nprint(os.getcwd())", "python"),
        ("def f(x):\n    return x +\n", "python"),  # a def line is enough even if it does not parse
        ("import kotlin.math.sqrt\nfun main() { println(sqrt(2.0)) }", None),
        ("const x = require('fs');\nconsole.log(x);", "javascript"),
        ("import { a } from 'b';\nconst n: number = a;", "typescript"),
        ("SELECT * FROM users;", None),
        ("Q.......\n....Q...", None),
    ],
)
def test_detect_language(code: str, language: str | None) -> None:
    assert detect_language(code) == language


def test_fenced_blocks_keeps_order_and_info() -> None:
    text = answer(fence("bash", "pip install x"), fence("python title=a.py", "print(1)"), fence("", "out"))
    blocks = fenced_blocks(text)
    assert [(b.tag, b.info, b.body) for b in blocks] == [
        ("bash", "bash", "pip install x"), ("python", "python title=a.py", "print(1)"), ("", "", "out")]


def test_inline_triple_backticks_are_not_fences() -> None:
    text = f"Use {T}python{T} fences, e.g.\n\n{fence('go', GO_CODE)}"
    assert [b.tag for b in fenced_blocks(text)] == ["go"]


def test_inline_fence_pair_inside_a_block_is_content() -> None:
    body = f'print("{T}python{T} is how fences start")\nprint(2)'
    assert [b.body for b in fenced_blocks(answer(fence("python", body)))] == [body]


def test_unclosed_nested_opener_falls_back_to_first_closing_fence() -> None:
    """A string holding a fence opener but no closer must not swallow the rest of the answer."""
    code = f'HEADER = """\n{T}python\n"""\nprint(HEADER)'
    text = f"{fence('python', code)}\n\nThen run it:\n\n{fence('bash', 'python app.py')}"
    blocks = fenced_blocks(text)
    assert [b.tag for b in blocks] == ["python", "bash"]
    assert blocks[0].body == code


def test_crlf_answers() -> None:
    result = extract(answer(fence("python", GRADIO)).replace("\n", "\r\n"))
    assert result.environment.slug == "gradio"
    assert result.code == GRADIO


@pytest.mark.parametrize(
    "code, name",
    [
        (JAVA_CODE, "Solver"),  # public final class (upstream's regex missed it: bug 22)
        ("public abstract class Shape {\n  public static void main(String[] a) {}\n}", "Shape"),
        ("class Helper { int x; }\npublic class App {\n  public static void main(String... args) {}\n}", "App"),
        ("class Helper { }\nclass Runner {\n  static public void main(String[] args) {}\n}", "Runner"),
        ("public class Api {\n  void f() {}\n}\nclass Other {}", "Api"),
        ('public class Outer {\n  static class Inner {}\n  // class Fake {\n  String s = "class Nope {";\n'
         "  public static void main(String[] a) {}\n}", "Outer"),
        ("public record Point(int x, int y) {\n  public static void main(String[] a) {}\n}", "Point"),
        ("System.out.println(1);", "Main"),
        ("", "Main"),
    ],
)
def test_java_class_name(code: str, name: str) -> None:
    assert java_class_name(code) == name


def load_fixture_cases() -> list[tuple[str, dict]]:
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    return [(name, spec) for name, spec in sorted(expected.items())]


@pytest.mark.parametrize("name, spec", load_fixture_cases(), ids=[c[0] for c in load_fixture_cases()])
def test_realistic_answers(name: str, spec: dict) -> None:
    """Whole answers in the shape models give them: prose, several blocks, install commands."""
    result = extract((FIXTURES / name).read_text(encoding="utf-8"))
    assert (result.environment.name if result.environment else None) == spec["environment"]
    assert result.language == spec["language"]
    assert result.dependencies == spec["dependencies"]
    assert result.n_blocks == spec["n_blocks"]
    assert result.code is not None
    assert result.code.startswith(spec["code_starts"])
    assert result.code.rstrip().endswith(spec["code_ends"])
    for absent in spec.get("code_lacks", []):
        assert absent not in result.code


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("`~ \n\tabcpyhtml<>/{}()#!:=\"'")), max_size=300))
def test_extract_never_raises(text: str) -> None:
    result = extract(text)
    assert result.n_blocks >= 0
    assert (result.code is None) or isinstance(result.code, str)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\r", blacklist_categories=["Cs"]),
                        max_size=40), min_size=1, max_size=8))
def test_quadruple_fence_round_trips_any_body(lines: list[str]) -> None:
    """Whatever a body holds (triple backticks included), a longer fence returns it unchanged."""
    lines = [line.replace("\n", " ") for line in lines]
    assume(not any(re.fullmatch(r"[ \t]*`{8,}[ \t]*", line) for line in lines))
    body = "\n".join([f"{T}x", *lines, "end"])
    blocks = fenced_blocks(fence("text", body, ticks="`" * 8))
    assert len(blocks) == 1
    assert blocks[0].body == body


# The real AutoCodeArena questions: the shared data sits beside the checkout (../shared/data).
REAL_QUESTIONS = (SHARED_DATA or Path("/nonexistent")) / "autocodearena-v0/questions.jsonl"


@pytest.mark.skipif(not REAL_QUESTIONS.exists(), reason="shared data not present")
def test_real_questions_with_code() -> None:
    """All 600 real prompts go through; the ones quoting code give sensible blocks."""
    found = {}
    for line in REAL_QUESTIONS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        result = extract(record["instruction"])
        if result.n_blocks:
            found[record["uid"]] = result
    assert set(found) == {"12349617da594fe2988c5e2598ac4228", "ef4f6c68f83145ec96fbd5e78e356b0b",
                          "7c9523709afe4f6dbb397d106443507c"}
    pulp = found["7c9523709afe4f6dbb397d106443507c"]
    assert (pulp.environment.slug, pulp.language, pulp.dependencies["pip"]) == ("python", "python", ["pulp"])
    # untagged Python-looking data without any Python marker stays unclassified
    assert found["12349617da594fe2988c5e2598ac4228"].environment is None
    assert found["12349617da594fe2988c5e2598ac4228"].code.startswith("test_numbers = [5, 2, 8")
