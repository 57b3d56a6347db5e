"""Dependency extraction: Python imports -> distributions, JS imports, CDN URLs, install commands."""

from __future__ import annotations

import re
import sys

import pytest

from codearena.dependencies import (
    ALTERNATIVE_DISTRIBUTIONS,
    IMPORT_TO_DISTRIBUTION,
    PIP_NAME_FIXES,
    canonical_name,
    cdn_package,
    html_cdn_packages,
    js_packages,
    npm_install_lines,
    pip_install_lines,
    python_distributions,
    python_imports,
    requirement_names,
    scrub_js,
)


# ---- the import -> distribution table

def test_table_is_large_and_canonical() -> None:
    assert len(IMPORT_TO_DISTRIBUTION) >= 60
    for module, dist in IMPORT_TO_DISTRIBUTION.items():
        assert dist == canonical_name(dist), module
        assert module.split(".")[0] not in sys.stdlib_module_names, module
        # an entry that only re-spells its key is dead weight: canonicalisation already does it
        # (dotted keys are needed even then: the top-level name alone would be used otherwise)
        assert canonical_name(module) != dist or "." in module, module
    for dists in ALTERNATIVE_DISTRIBUTIONS.values():
        assert all(d == canonical_name(d) for d in dists)
    assert all(k == canonical_name(k) for k in PIP_NAME_FIXES)


@pytest.mark.parametrize(
    "module, dist",
    [("cv2", "opencv-python"), ("sklearn", "scikit-learn"), ("PIL", "pillow"), ("yaml", "pyyaml"),
     ("bs4", "beautifulsoup4"), ("skimage", "scikit-image"), ("dateutil", "python-dateutil"),
     ("Crypto", "pycryptodome"), ("fitz", "pymupdf"), ("serial", "pyserial")],
)
def test_table_entries(module: str, dist: str) -> None:
    assert IMPORT_TO_DISTRIBUTION[module] == dist
    assert python_distributions(f"import {module}\n") == [dist]


# ---- python_imports

@pytest.mark.parametrize(
    "code, imports",
    [
        ("import os, sys\nimport numpy as np\nfrom pandas import DataFrame", ["numpy", "pandas"]),
        ("import matplotlib.pyplot as plt\nfrom scipy.stats import norm", ["matplotlib", "scipy"]),
        ("from . import utils\nfrom .models import User\nfrom ..x import y\nimport requests", ["requests"]),
        ("from __future__ import annotations\nimport typing, dataclasses, asyncio, tomllib", []),
        ("def f():\n    import torch\n    return torch\n"
         "try:\n    import ujson as json\nexcept ImportError:\n    import json",
         ["torch", "ujson"]),
        # syntax errors fall back to a line regex
        ("import streamlit as st\nst.title('x'\nfrom plotly import express as px\nimport a.b, c as d  # note",
         ["a", "c", "plotly", "streamlit"]),
        ("!pip install gradio\n%matplotlib inline\nimport gradio as gr", ["gradio"]),
        ("x = 'import flask'\n# import django\nprint(x)", []),
        ("", []),
    ],
)
def test_python_imports(code: str, imports: list[str]) -> None:
    assert python_imports(code) == imports


# ---- python_distributions

@pytest.mark.parametrize(
    "code, dists",
    [
        ("import cv2\nimport numpy\nimport cv2.aruco", ["numpy", "opencv-python"]),
        ("import google.generativeai as genai\nfrom google.protobuf import message\nimport google.colab",
         ["google-generativeai", "protobuf"]),
        ("from google.cloud import storage\nfrom google.cloud.storage import Blob", ["google-cloud-storage"]),
        ("import js\nimport pyodide\nimport micropip", []),
        ("import sentence_transformers\nimport PyQt5.QtWidgets", ["pyqt5", "sentence-transformers"]),
        # explicit pip commands: added, and they pick the provider of an import
        ("# pip install opencv-python-headless\nimport cv2", ["opencv-python-headless"]),
        ("!pip install pygame-ce\nimport pygame", ["pygame-ce"]),
        ("import pygame  # pip install pygame-ce", ["pygame-ce"]),
        ('"""Snake.\n\nRequirements: pip install pygame numpy\n"""\nimport pygame', ["numpy", "pygame"]),
        ("# pip install sklearn cv2\nimport sklearn", ["opencv-python", "scikit-learn"]),
        ("import psycopg2", ["psycopg2-binary"]),
        ("# pip install psycopg2\nimport psycopg2", ["psycopg2"]),
    ],
)
def test_python_distributions(code: str, dists: list[str]) -> None:
    assert python_distributions(code) == dists


def test_python_distributions_also_installed() -> None:
    assert python_distributions("import pygame\nimport numpy", also_installed=["pygame-ce"]) == ["numpy", "pygame-ce"]


# ---- pip_install_lines

@pytest.mark.parametrize(
    "text, packages",
    [
        ("pip install numpy pandas", ["numpy", "pandas"]),
        ("pip3 install -U --user 'numpy>=1.24,<2' Flask_Cors==4.0 gradio[oauth]", ["flask-cors", "gradio", "numpy"]),
        ("python -m pip install --upgrade pip setuptools", ["pip", "setuptools"]),
        ("python3.11 -m pip install -q rich", ["rich"]),
        ("uv pip install httpx", ["httpx"]),
        ("!pip install gradio\n%pip install plotly", ["gradio", "plotly"]),
        ("$ sudo pip install requests && python app.py", ["requests"]),
        ("pip install -r requirements.txt streamlit", ["streamlit"]),
        ("pip install -i https://pypi.org/simple --extra-index-url https://x.org/simple torch", ["torch"]),
        ("pip install git+https://github.com/a/b.git ./local dist/x-1.0.whl requests", ["requests"]),
        ("pip install mypkg@git+https://github.com/a/mypkg", ["mypkg"]),
        ("pip install numpy \\\n    scipy", ["numpy", "scipy"]),
        ("pip install numpy; echo done", ["numpy"]),
        ("pip install numpy 2>&1 | tee log", ["numpy"]),
        ("# pip install pygame (optional)", ["pygame"]),
        ("# pip install pygame if you don't have it", ["pygame"]),
        ("# Install: pip install requests, beautifulsoup4.", ["beautifulsoup4", "requests"]),
        ("pip install", []),
        ("pip install --upgrade", []),  # upstream raised IndexError on a trailing lone flag
        ("pipenv install flask\npipx install black\nconda install numpy", []),
        ("Use pip list to see packages.", []),
    ],
)
def test_pip_install_lines(text: str, packages: list[str]) -> None:
    assert pip_install_lines(text) == packages


def test_requirement_names() -> None:
    text = "# deps\nnumpy>=1.24\nPillow==10.0 ; python_version > '3.8'\n-r base.txt\nsklearn\nhttps://x/y.whl\n"
    assert requirement_names(text) == ["numpy", "pillow", "scikit-learn"]


# ---- npm_install_lines

@pytest.mark.parametrize(
    "text, packages",
    [
        ("npm install recharts lucide-react", ["lucide-react", "recharts"]),
        ("npm i -D @types/react@18 typescript@^5.4", ["@types/react", "typescript"]),
        ("yarn add three@0.160.0 && yarn dev", ["three"]),
        ("pnpm add zustand\nbun add hono", ["hono", "zustand"]),
        ("npm install --save-dev --registry https://r.example vitest", ["vitest"]),
        ("npm install ./local-pkg file:../x git+https://github.com/a/b.git lodash", ["lodash"]),
        ("npm init -y\nnpm info react\nnpm run dev\nnpm install", []),
        ("npx create-vite@latest app", []),
        ("// npm install axios", ["axios"]),
        ("npm i @mui/material @emotion/react @emotion/styled", ["@emotion/react", "@emotion/styled", "@mui/material"]),
    ],
)
def test_npm_install_lines(text: str, packages: list[str]) -> None:
    assert npm_install_lines(text) == packages


# ---- js_packages

@pytest.mark.parametrize(
    "code, packages",
    [
        ("import React, { useState } from 'react';\nimport { motion } from \"framer-motion\";",
         ["framer-motion", "react"]),
        ("import {\n  LineChart,\n  Line,\n} from 'recharts';", ["recharts"]),
        ("import * as THREE from 'three';\nimport { OrbitControls } from 'three/examples/jsm/controls/OrbitControls'",
         ["three"]),
        ("import type { FC } from 'react';\nexport * from '@scope/pkg/deep/path';\nexport { a } from 'lib-a';",
         ["@scope/pkg", "lib-a", "react"]),
        ("const _ = require('lodash/debounce');\nconst fs = require('fs');\nconst p = require('node:path');",
         ["lodash"]),
        ("const m = await import('chart.js/auto');\nimport('./local.js');", ["chart.js"]),
        ("import './App.css';\nimport x from '../x';\nimport y from '/abs/y';\nimport z from '@/components/Z';\n"
         "import w from '~/w';\nimport v from '#internal';\nimport u from '$lib/u';", []),
        ("import 'bootstrap/dist/css/bootstrap.min.css';", ["bootstrap"]),
        ("import { readFile } from 'fs/promises';\nimport events from 'events';\n"
         "import { Buffer } from 'node:buffer';", []),
        ("import x from 'https://esm.sh/react@18';", []),
        ("// import fake from 'commented-out';\n/* require('also-not') */\n"
         "const s = \"import a from 'in-a-string'\";", []),
        ("<script setup>\nimport { ref } from 'vue'\nimport Chart from 'chart.js/auto'\n</script>\n"
         "<template><div/></template>",
         ["chart.js", "vue"]),
    ],
)
def test_js_packages(code: str, packages: list[str]) -> None:
    assert js_packages(code) == packages


def test_scrub_js_keeps_layout() -> None:
    code = "const a = 'x//y'; // comment\nconst r = /\"'[/]/g; /* multi\nline */ const t = `a${b + '}'}c`;"
    scrubbed = scrub_js(code)
    assert len(scrubbed) == len(code)
    assert scrubbed.count("\n") == code.count("\n")
    assert "comment" not in scrubbed and "multi" not in scrubbed
    assert "'x//y'" in scrubbed
    blank = scrub_js(code, blank_strings=True)
    assert len(blank) == len(code)
    assert "x//y" not in blank and "a${b +" not in blank and "${b + '" in blank
    assert re.search(r"const t = `\s*\$\{b \+ ' '\}\s*`;", blank)


# ---- HTML / CDN

@pytest.mark.parametrize(
    "url, package",
    [
        ("https://unpkg.com/react@18/umd/react.production.min.js", "react"),
        ("https://unpkg.com/@babel/standalone/babel.min.js", "@babel/standalone"),
        ("https://cdn.jsdelivr.net/npm/chart.js@4.4.0/dist/chart.umd.min.js", "chart.js"),
        ("https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4/dist/tf.min.js", "@tensorflow/tfjs"),
        ("https://cdn.jsdelivr.net/gh/user/repo@1/x.js", None),
        ("//cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js", "three"),
        ("https://cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/gsap.min.js", "gsap"),
        ("https://ajax.googleapis.com/ajax/libs/jquery/3.7.1/jquery.min.js", "jquery"),
        ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery"),
        ("https://esm.sh/v135/canvas-confetti@1.9.2", "canvas-confetti"),
        ("https://esm.sh/preact@10/hooks", "preact"),
        ("https://cdn.skypack.dev/lodash-es", "lodash-es"),
        ("https://ga.jspm.io/npm:d3@7.8.5/src/index.js", "d3"),
        ("https://cdn.tailwindcss.com", "tailwindcss"),
        ("https://d3js.org/d3.v7.min.js", "d3"),
        ("https://fonts.googleapis.com/css2?family=Inter", None),
        ("https://example.com/script.js", None),
    ],
)
def test_cdn_package(url: str, package: str | None) -> None:
    assert cdn_package(url) == package


def test_html_cdn_packages() -> None:
    html = """<!DOCTYPE html><html><head>
<script src="https://cdn.tailwindcss.com"></script>
<script src='https://unpkg.com/vue@3/dist/vue.global.js'></script>
<script type="importmap">{"imports": {"three": "https://cdn.jsdelivr.net/npm/three@0.160/build/three.module.js"}}</script>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/css/bootstrap.min.css">
<script src="app.js"></script>
</head><body><img src="/api/placeholder/400/300"><a href="https://example.com">x</a>
<script type="module">import confetti from "https://esm.sh/canvas-confetti@1";</script>
</body></html>"""
    assert html_cdn_packages(html) == ["bootstrap", "canvas-confetti", "tailwindcss", "three", "vue"]
    assert html_cdn_packages("<div>no scripts</div>") == []
