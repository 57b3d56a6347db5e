"""CDN URLs -> the vendored copies (sandbox/web/vendor, installed by `make setup`)."""

from __future__ import annotations

import pytest

from codearena import cdn


@pytest.fixture(autouse=True, scope="module")
def vendored():
    assert (cdn.vendor_root() / "react" / "package.json").is_file(), "vendored libraries missing: run `make web`"


@pytest.mark.parametrize("url, expected", [
    ("https://cdn.jsdelivr.net/npm/chart.js", "chart.js/dist/chart.umd.min.js"),
    ("https://cdnjs.cloudflare.com/ajax/libs/Chart.js/3.9.1/chart.min.js", "chart.js/dist/chart.umd.min.js"),
    ("https://cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js", "three-r128/build/three.min.js"),
    ("https://unpkg.com/three@0.128.0/examples/js/controls/OrbitControls.js",
     "three-r128/examples/js/controls/OrbitControls.js"),
    ("https://unpkg.com/three@0.160.0/examples/jsm/controls/OrbitControls.js",
     "three/examples/jsm/controls/OrbitControls.js"),
    ("https://esm.sh/three@0.160", "three/build/three.module.js"),
    ("https://cdn.jsdelivr.net/npm/p5@1.9.0/lib/p5.min.js", "p5/lib/p5.min.js"),
    ("https://d3js.org/d3.v7.min.js", "d3/dist/d3.min.js"),
    ("https://cdn.jsdelivr.net/npm/mermaid@10/dist/mermaid.esm.min.mjs", "mermaid/dist/mermaid.esm.min.mjs"),
    ("https://unpkg.com/react@18/umd/react.development.js", "react/umd/react.development.js"),
    ("https://unpkg.com/react-dom@17.0.2/umd/react-dom.production.min.js", "react-dom/umd/react-dom.production.min.js"),
    ("https://unpkg.com/@babel/standalone/babel.min.js", "@babel/standalone/babel.min.js"),
    ("https://unpkg.com/vue@3/dist/vue.global.js", "vue/dist/vue.global.js"),
    ("https://code.jquery.com/jquery-3.6.0.min.js", "jquery/dist/jquery.min.js"),
    ("https://cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/ScrollTrigger.min.js", "gsap/dist/ScrollTrigger.min.js"),
    ("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/webfonts/fa-solid-900.woff2",
     "@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2"),
    ("https://stackpath.bootstrapcdn.com/bootstrap/4.5.2/css/bootstrap.min.css", "bootstrap/dist/css/bootstrap.min.css"),
    ("https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/styles/github-dark.min.css",
     "@highlightjs/cdn-assets/styles/github-dark.min.css"),
    ("https://cdn.plot.ly/plotly-2.27.0.min.js", "plotly.js-dist-min/plotly.min.js"),
    ("https://unpkg.com/leaflet@1.9.4/dist/images/marker-icon.png", "leaflet/dist/images/marker-icon.png"),
])
def test_cdn_urls_map_to_vendored_files(url, expected):
    found = cdn.local_file(url)
    assert found is not None, url
    assert found.relative_to(cdn.vendor_root().resolve()).as_posix() == expected


@pytest.mark.parametrize("url", [
    "https://cdn.jsdelivr.net/npm/vue@2.6.14/dist/vue.js",  # Vue 2 pages cannot run on Vue 3
    "https://cdn.jsdelivr.net/npm/not-a-vendored-library@1/dist/lib.js",
    "https://fonts.googleapis.com/css2?family=Inter",
    "https://example.com/chart.js",
    "https://cdn.jsdelivr.net/npm/three@0.160/../../../etc/passwd",
    "https://esm.sh/recharts@2",  # an ES build with bare imports cannot be served as one file
])
def test_urls_without_a_vendored_copy_stay_blocked(url):
    assert cdn.offline_response(url) is None


def test_tailwind_play_cdn_gets_the_v4_browser_build_after_the_v3_prelude():
    body, content_type = cdn.offline_response("https://cdn.tailwindcss.com/3.4.1?plugins=forms,typography")
    assert content_type == "text/javascript"
    prelude = cdn.TAILWIND_COMPAT.read_bytes()
    assert body.startswith(prelude) and len(body) > len(prelude) + 100_000
