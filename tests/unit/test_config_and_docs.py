"""Settings, deployment files, and the README that documents them."""

from __future__ import annotations

import re
import stat

import pytest

from tests.conftest import AVON, GWENT
from webapp.config import PROJECT_ROOT, SETTINGS, load_settings
from webapp.deployment import DeploymentError, load

README = (PROJECT_ROOT / "README.md").read_text()


def test_the_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert README.index("```sh") < README.index("\n## ")
    assert [line.split()[0:2] for line in first_block.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_ci_runs_exactly_the_readme_test_command():
    lines = (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
    assert "make test" in lines


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_the_readme_lists_every_setting(setting):
    assert f"`IAG_{setting.name}`" in README


def test_with_nothing_set_it_runs_on_sqlite_in_the_instance_folder_with_a_private_secret(tmp_path):
    settings = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'iag.sqlite3'}"
    secret_file = tmp_path / "secret_key"
    assert settings["SECRET_KEY"] == secret_file.read_text().strip() and len(settings["SECRET_KEY"]) == 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})["SECRET_KEY"] == settings["SECRET_KEY"]


def test_environment_beats_the_instance_file_which_beats_the_default(tmp_path):
    (tmp_path / "config.toml").write_text('smtp_host = "mail.from-file.example"\nsmtp_port = 2525\n')
    from_file = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert (from_file["SMTP_HOST"], from_file["SMTP_PORT"]) == ("mail.from-file.example", 2525)
    from_env = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={"IAG_SMTP_PORT": "25"})
    assert from_env["SMTP_PORT"] == 25
    assert load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})["SESSION_IDLE_MINUTES"] == 30


def test_a_mistyped_setting_is_explained(tmp_path):
    with pytest.raises(ValueError, match="IAG_COOKIE_SECURE must be true or false"):
        load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={"IAG_COOKIE_SECURE": "maybe"})
    with pytest.raises(ValueError, match="IAG_SMTP_PORT must be a whole number"):
        load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={"IAG_SMTP_PORT": "twenty"})


def test_avon_and_somerset_example():
    deployment = load(AVON)
    groups = {g.slug: g for g in deployment.groups}
    assert deployment.force_name == "Avon and Somerset Police"
    assert deployment.mailbox.startswith("StrategicIAG@")
    assert not groups["strategic"].open_to_applicants
    assert {g.kind for g in deployment.groups} == {"strategic", "area", "specialist"}
    assert groups["counter-terrorism"].screening_may_apply
    assert sum(g.screening_may_apply for g in deployment.groups) == 1
    assert groups["lgbt-plus"].requirements


def test_gwent_example_has_one_force_iag_and_refunds_expenses():
    deployment = load(GWENT)
    assert [g.name for g in deployment.groups] == ["Gwent Police IAG"]
    assert deployment.groups[0].open_to_applicants
    assert "refund expenses" in deployment.text("expenses")


def test_a_broken_deployment_file_says_what_is_wrong(tmp_path):
    path = tmp_path / "deployment.toml"
    with pytest.raises(DeploymentError, match="No deployment file"):
        load(path)
    path.write_text(
        '[force]\nname = "X"\nmailbox = "a@b.c"\n[[groups]]\nslug = "a"\nname = "A"\nkind = "zone"\n'
    )
    with pytest.raises(DeploymentError, match="group 1: kind must be strategic, area or specialist"):
        load(path)
    path.write_text('[force]\nname = "X"\n')
    with pytest.raises(DeploymentError, match=r"\[force\]: 'mailbox' is missing"):
        load(path)
    group = '[[groups]]\nslug = "a"\nname = "A"\nkind = "area"\nopen_to_applicants = true\n'
    path.write_text(f'[force]\nname = "X"\nmailbox = "a@b.c"\nreply_working_days = "soon"\n{group}')
    with pytest.raises(DeploymentError, match="'reply_working_days' must be a whole number of days"):
        load(path)
    path.write_text(f'[force]\nname = "X"\nmailbox = "a@b.c"\nreply_working_days = 10\n{group}')
    assert load(path).reply_working_days == 10
    assert load(path).groups[0].expected_meetings == 4  # unless a group says otherwise
    path.write_text(f'[force]\nname = "X"\nmailbox = "a@b.c"\n{group}expected_meetings = "often"\n')
    with pytest.raises(
        DeploymentError, match="group 1: expected_meetings must be a whole number from 0 to 52"
    ):
        load(path)
    path.write_text(f'[force]\nname = "X"\nmailbox = "a@b.c"\n{group}expected_meetings = 6\n')
    assert load(path).groups[0].expected_meetings == 6


def test_the_contacts_for_mail_for_another_team_are_checked_when_the_file_is_loaded(tmp_path):
    path = tmp_path / "deployment.toml"
    group = '[[groups]]\nslug = "a"\nname = "A"\nkind = "area"\nopen_to_applicants = true\n'
    force = '[force]\nname = "X"\nmailbox = "a@b.c"\n'
    path.write_text(f'{force}[contacts]\nfoi = "foi@b.c"\n{group}')
    with pytest.raises(DeploymentError, match=r"\[contacts\]: unknown foi; the contacts are data_protection"):
        load(path)
    path.write_text(f'{force}[contacts]\ncomplaints = "the complaints team"\n{group}')
    with pytest.raises(
        DeploymentError, match="each contact is an email address or a web address of up to 300 characters"
    ):
        load(path)
    path.write_text(
        f'{force}[contacts]\nfreedom_of_information = " foi@force.example "\ncomplaints = ""\n{group}'
    )
    assert load(path).contacts == {"freedom_of_information": "foi@force.example"}  # a blank one is no contact
    for example in ("avon-and-somerset.toml", "gwent.toml"):
        assert set(load(PROJECT_ROOT / "instance" / "examples" / example).contacts) == {
            "data_protection",
            "freedom_of_information",
            "complaints",
        }


PRODUCTION = PROJECT_ROOT / "instance" / "examples" / "production"


def test_the_production_examples_name_only_real_settings_and_commands():
    """The example environment file sets only settings that exist, with values they accept, and the
    example units and crontab run commands and files that exist."""
    from click.testing import CliRunner

    from mail_ingest.cli import main as iag_mail
    from webapp.cli import register

    env = {}
    for line in (PRODUCTION / "iag.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert "#" not in value, f"{name}: systemd would keep a trailing comment in the value"
            env[name] = value
    known = {f"IAG_{s.name}" for s in SETTINGS}
    assert set(env) <= known, set(env) - known
    settings = load_settings({"INSTANCE_PATH": str(PROJECT_ROOT / "instance")}, environ=env)
    assert settings["COOKIE_SECURE"] is True and settings["TRUSTED_PROXIES"] == 1

    from flask import Flask

    flask_commands = Flask("probe")
    register(flask_commands)
    texts = [(PRODUCTION / name).read_text() for name in ("iag-web.service", "iag-mail.service", "crontab")]
    texts.append((PRODUCTION / "iag-send-mail.service").read_text())
    for text in texts:
        assert (
            "webapp/gunicorn_conf.py" not in text or (PROJECT_ROOT / "webapp" / "gunicorn_conf.py").exists()
        )
        for command, args in re.findall(r"flask --app webapp ([a-z-]+)([^\n|]*)", text):
            assert command in flask_commands.cli.commands, command
            result = CliRunner().invoke(flask_commands.cli.commands[command], [*args.split(), "--help"])
            assert result.exit_code == 0, (command, args, result.output)
        for args in re.findall(r"iag-mail ([a-z -]+)", text):
            with pytest.raises(SystemExit) as shown:
                iag_mail([*args.split(), "--help"])
            assert shown.value.code == 0
