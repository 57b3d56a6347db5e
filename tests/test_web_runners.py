"""The decisions the React, Vue and JavaScript runners take from the code, before anything runs."""

from __future__ import annotations

import pytest

from codearena.runners import javascript, react, vite, vue
from codearena.runners.common import Sample


@pytest.mark.parametrize("code, expected", [
    ("export default function App() { return <div/>; }", None),
    ("function App() { return <div/>; }\nexport { App as default };", None),
    ("export function Dashboard() { return <div/>; }", 'import { Dashboard as App } from "./App";'),
    ("const App = () => <div/>;\nReactDOM.createRoot(document.getElementById('root')).render(<App/>);",
     'import "./App";'),
    ("// createRoot( in a comment\nexport default () => <p>'createRoot('</p>;", None),
])
def test_react_entry_follows_how_the_component_is_exported(code, expected):
    main = react.main_module(code)
    if expected is None:
        assert main is None
    else:
        assert main is not None and expected in main, main


@pytest.mark.parametrize("language, code, typescript", [
    ("typescript", "export default () => null;", True),
    ("javascript", "export default () => null;", False),
    (None, "const x: number = 1;\nexport default () => x;", True),
])
def test_react_file_is_tsx_for_typescript(language, code, typescript):
    assert react.is_typescript(Sample(uid="u", model="m", env="react", code=code, language=language)) is typescript


@pytest.mark.parametrize("code, name", [
    ('import fs from "fs";\nconsole.log(1);', "main.mjs"),
    ('export const x = 1;', "main.mjs"),
    ('const fs = require("fs");', "main.cjs"),
    ('module.exports = 3;', "main.cjs"),
    ('await Promise.resolve(1);\nconsole.log("x");', "main.js"),
    ('console.log("import x from \'y\'");', "main.js"),  # the word in a string does not count
])
def test_javascript_module_system_from_the_code(code, name):
    assert javascript.module_file(code) == name


def test_javascript_missing_packages_from_node_errors():
    err = ("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /sandbox/main.mjs\n"
           "Error: Cannot find module 'lodash/fp'\nError: Cannot find module './local'\n")
    assert javascript.missing_packages(err) == ["express", "lodash"]


def test_vite_missing_packages_only_names_packages_the_template_lacks():
    log = ('[vite]: Rolldown failed to resolve import "@mui/material/Button" from "/sandbox/src/App.jsx".\n'
           "[UNRESOLVED_IMPORT] Could not resolve './components/Header' in src/App.jsx\n"
           'Error: Preprocessor dependency "sass-embedded" not found.\n'
           '[vite]: Rolldown failed to resolve import "react" from "x".\n')
    assert vite.missing_packages(log, "react") == ["@mui/material", "sass-embedded"]


def test_vite_log_loses_colour_codes_and_vites_own_stack():
    log = ("\x1b[31m[builtin:vite-transform] \x1b[0mExpected corresponding JSX closing tag\n"
           "    at aggregateBindingErrorsIntoJsError (file:///opt/x/rolldown/dist/error.mjs:50:18)\n"
           "  errors: [Getter/Setter]\n}\n")
    assert vite.clean_log(log) == "[builtin:vite-transform] Expected corresponding JSX closing tag"


def test_vue_script_answers_that_mount_themselves_replace_the_entry(monkeypatch):
    seen = {}
    monkeypatch.setattr(vite, "build_and_render", lambda s, c, t, files, env=None: seen.update(files=files, env=env))
    code = 'import { createApp } from "vue";\ncreateApp({ template: "<p>hi</p>" }).mount("#app");'
    vue.run(Sample(uid="u", model="m", env="vue", code=code, language="javascript"), ctx=None)
    assert set(seen["files"]) == {"src/App.js", "src/main.js"} and 'import "./App";' in seen["files"]["src/main.js"]
    assert seen["env"] == {"CODEARENA_VUE_RUNTIME_COMPILER": "1"}
