"""A bare Flask app rendering a tiny Jinja template: the ceiling every figure of the bench is divided by."""

from __future__ import annotations

import os

from flask import Flask, jsonify, render_template

app = Flask(__name__, template_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates"))

ITEMS = ["开具居住证明", "高龄津贴申领", "低保申请"]


@app.route("/")
def page():
    """The measured page: a template with a title and a short loop."""
    return render_template("page.html", title="社区服务大厅", items=ITEMS)


@app.route("/healthz")
def healthz():
    """The bench waits for this before measuring."""
    return jsonify(status="ok")
