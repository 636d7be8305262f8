"""Train the Rasa model only when its inputs changed (domain, config, NLU/rules data, Rasa version).

A content fingerprint is stored beside the model: `make run` and the end-to-end tests reuse the
model when nothing changed, instead of paying Rasa's 40 s+ start-up for a no-op train.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_NAME = "readiness"


def training_inputs(root: Path = ROOT) -> list[Path]:
    """The files a trained model depends on, in a stable order."""
    files = [root / "domain.yml", root / "config.yml"]
    files += sorted(path for path in (root / "data").rglob("*") if path.is_file())
    return files


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    import rasa

    digest.update(f"rasa {rasa.__version__}\n".encode())
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def model_path(models_dir: Path) -> Path:
    return models_dir / f"{MODEL_NAME}.tar.gz"


def ensure_model(models_dir: Path | None = None, root: Path = ROOT, quiet: bool = False) -> Path:
    """The trained model for the current inputs, training it first if needed."""
    models_dir = models_dir or Path(os.environ.get("READINESS_MODELS_DIR", root / "models"))
    models_dir.mkdir(parents=True, exist_ok=True)
    model = model_path(models_dir)
    stamp = models_dir / f"{MODEL_NAME}.fingerprint"
    wanted = fingerprint(root)
    if model.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return model
    if not quiet:
        print("Training the Rasa model (inputs changed or no model yet)…", flush=True)
    started = time.monotonic()
    rasa = Path(sys.executable).parent / "rasa"
    command = [
        str(rasa), "train",
        "--domain", str(root / "domain.yml"),
        "--config", str(root / "config.yml"),
        "--data", str(root / "data"),
        "--out", str(models_dir),
        "--fixed-model-name", MODEL_NAME,
        "--force",
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0 or not model.exists():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise RuntimeError(f"rasa train failed (exit {result.returncode}):\n{tail}")
    stamp.write_text(wanted + "\n")
    if not quiet:
        print(f"Trained in {time.monotonic() - started:.0f} s: {model}", flush=True)
    return model


if __name__ == "__main__":
    print(ensure_model())
