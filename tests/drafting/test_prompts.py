"""Prompt templates: sandboxed, strict, and a broken one is named by file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studio.drafting.prompts import PromptError, Prompts
from studio.services.jobs import build_tasks
from tests.conftest import REPO
from tests.helpers.briefs import brief


@pytest.fixture
def prompts_dir(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts", target)
    return target


def render_sms(directory: Path) -> str:
    task = next(t for t in build_tasks(brief()) if t.copy_channel == "sms")
    return Prompts(directory).draft_messages(task)[1]["content"]


def break_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_shipped_templates_render_every_channel_and_the_repair() -> None:
    the_brief = brief(channels=[{"channel": "sms", "count": 1}, {"channel": "email", "count": 1},
                                {"channel": "ad", "platform": "google_rsa", "count": 1},
                                {"channel": "ad", "platform": "meta", "count": 1}])  # fmt: skip
    prompts = Prompts()
    for task in build_tasks(the_brief):
        system, user = prompts.draft_messages(task)
        assert "Brightleaf" in system["content"] and "Magnesium contributes" in system["content"]
        assert "<brief>" in user["content"] and task.angle in user["content"]
    repair = prompts.repair_messages(task, {"body": "x"}, [])[-1]["content"]
    assert "compliance check found problems" in repair


def test_a_syntax_error_names_the_file_and_line(prompts_dir: Path) -> None:
    break_line(prompts_dir / "sms.j2", 2, "{% if %}")
    with pytest.raises(PromptError, match=r"sms\.j2:2: template error"):
        render_sms(prompts_dir)


def test_an_undefined_variable_is_an_error_not_a_blank(prompts_dir: Path) -> None:
    break_line(prompts_dir / "sms.j2", 3, "Say {{ no_such_thing }}")
    with pytest.raises(
        PromptError, match=r"sms\.j2:3: template error: 'no_such_thing' is undefined"
    ):
        render_sms(prompts_dir)


def test_templates_cannot_reach_python_internals(prompts_dir: Path) -> None:
    break_line(prompts_dir / "sms.j2", 1, "{{ brief.__class__.__mro__ }}")
    with pytest.raises(PromptError, match=r"sms\.j2:1: template error"):
        render_sms(prompts_dir)


def test_lengths_in_the_prompt_are_the_brands_limits(rules_dir: Path) -> None:
    """The model is told the limits the check will apply, overrides included."""
    email = brief(channels=[{"channel": "email", "count": 1},
                            {"channel": "ad", "platform": "meta", "count": 1}])  # fmt: skip
    shipped = {t.channel.key: Prompts().draft_messages(t)[1]["content"] for t in build_tasks(email)}
    assert "subject (at most 50 characters" in shipped["email"]
    assert "preheader (40 to 100 characters" in shipped["email"]
    assert "headline (at most 40 characters)" in shipped["ad-meta"]
    pack = rules_dir / "brightleaf" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("overrides:\n", "overrides:\n  EMAIL-SUBJECT-LEN: {max: 24}\n", 1),
                    encoding="utf-8")  # fmt: skip
    (task,) = [t for t in build_tasks(email) if t.channel.key == "email"]
    assert "subject (at most 24 characters" in Prompts().draft_messages(task)[1]["content"]
