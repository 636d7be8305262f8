"""The model cache: a fingerprint of domain, config and data decides whether to retrain."""

from __future__ import annotations

import shutil

from bot import training


def copy_project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for name in ("domain.yml", "config.yml"):
        shutil.copy(training.ROOT / name, root / name)
    shutil.copytree(training.ROOT / "data", root / "data")
    return root


def test_fingerprint_follows_every_training_input(tmp_path):
    root = copy_project(tmp_path)
    base = training.fingerprint(root)
    assert training.fingerprint(root) == base
    for path in training.training_inputs(root):
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        assert training.fingerprint(root) != base, path
        path.write_bytes(original)
    (root / "data" / "extra.yml").write_text("version: '3.1'\n")
    assert training.fingerprint(root) != base


def test_unchanged_inputs_reuse_the_model_without_training(tmp_path, monkeypatch):
    root = copy_project(tmp_path)
    models = tmp_path / "models"
    models.mkdir()
    training.model_path(models).write_bytes(b"model")
    (models / f"{training.MODEL_NAME}.fingerprint").write_text(training.fingerprint(root) + "\n")

    def no_training(*args, **kwargs):
        raise AssertionError("rasa train must not run when nothing changed")

    monkeypatch.setattr(training.subprocess, "run", no_training)
    assert training.ensure_model(models, root=root) == training.model_path(models)


def test_changed_inputs_retrain(tmp_path, monkeypatch):
    root = copy_project(tmp_path)
    models = tmp_path / "models"
    models.mkdir()
    training.model_path(models).write_bytes(b"old model")
    (models / f"{training.MODEL_NAME}.fingerprint").write_text("stale\n")
    calls = []

    class Done:
        returncode, stdout, stderr = 0, "", ""

    def fake_train(command, **kwargs):
        calls.append(command)
        training.model_path(models).write_bytes(b"new model")
        return Done()

    monkeypatch.setattr(training.subprocess, "run", fake_train)
    training.ensure_model(models, root=root, quiet=True)
    assert calls and calls[0][1] == "train"
    assert (models / f"{training.MODEL_NAME}.fingerprint").read_text().strip() == training.fingerprint(root)
