"""The floor for bench.web: a bare Flask "hello", served by gunicorn the same way as the app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
