"""The hash of pyproject.toml's dependency lists: the lock files record it, so an install from a
lock that no longer matches what pyproject.toml asks for fails instead of installing old pins."""

import hashlib
import json
import tomllib

with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)["project"]
wanted = {"dependencies": project["dependencies"], "extras": project["optional-dependencies"]}
print(hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest())
