#!/usr/bin/env python3
"""Validates Kubernetes manifests against schemas; run by scripts/validate-kubernetes.sh.

    validate-kubernetes.py -k 1.30.0 FILE...     validate every document of every FILE
    validate-kubernetes.py --vendor CRD.yaml --source REPO@COMMIT:PATH
                                                 (re)write .ci/crd-schemas/ from a CRD file

Built-in kinds go through kubernetes-validate (PyPI) with --strict semantics: the schemas of that
Kubernetes version, unknown fields rejected. Custom resources (ServiceMonitor, PodMonitor,
PrometheusRule, ScaledObject) have no schema there, so they are checked against the
openAPIV3Schema of their CRD, vendored under .ci/crd-schemas/ (descriptions stripped), made strict
the same way: wherever a schema lists properties and neither allows extra ones nor preserves
unknown fields, an unknown field is an error (the API server would silently prune it).
A kind with no schema at all is an error, never a skip. A KEDA prometheus trigger's query must
also parse as PromQL (promtool check rules). Each run ends with a self-test: a copy of every kind
checked, with an unknown field added, and an unknown kind must both be rejected.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import kubernetes_validate
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRD_DIR = os.path.join(ROOT, ".ci", "crd-schemas")
NOT_RESOURCES = {"kustomize.config.k8s.io"}  # kustomization.yaml: a build file, not an object


def schema_name(group_version, kind):
    return group_version.replace("/", "_") + "_" + kind + ".json"


def strip_descriptions(node):
    """The schema without its prose (keys named "description" inside `properties` are fields, kept)."""
    if isinstance(node, list):
        return [strip_descriptions(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "description" and isinstance(value, str):
            continue
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            out[key] = {name: strip_descriptions(sub) for name, sub in value.items()}
        else:
            out[key] = strip_descriptions(value)
    return out


def strict(node):
    """Like kubernetes-validate's -strict schemas: no unknown fields where the schema lists them."""
    if isinstance(node, list):
        return [strict(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            out[key] = {name: strict(sub) for name, sub in value.items()}
        else:
            out[key] = strict(value)
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def vendor(crd_path, source):
    with open(crd_path, encoding="utf-8") as f:
        crd = next(d for d in yaml.safe_load_all(f) if d)
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    os.makedirs(CRD_DIR, exist_ok=True)
    for version in crd["spec"]["versions"]:
        if not version.get("served", True):
            continue
        schema = strip_descriptions(version["schema"]["openAPIV3Schema"])
        schema["$comment"] = f"openAPIV3Schema of {kind} {group}/{version['name']} from {source}, descriptions stripped"
        path = os.path.join(CRD_DIR, schema_name(f"{group}/{version['name']}", kind))
        with open(path, "w", encoding="utf-8") as f:
            json.dump(schema, f, sort_keys=True, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {os.path.relpath(path, ROOT)}")


def check_promql(query, where, problems):
    promtool = shutil.which("promtool")
    if not promtool:
        problems.append(f"{where}: promtool not found (Debian package prometheus; scripts/install-deps.sh installs it)")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"groups": [{"name": "keda", "rules": [{"record": "keda:query", "expr": query}]}]}, f)
    try:
        run = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            problems.append(f"{where}: the prometheus trigger's query is not valid PromQL: "
                            + " ".join((run.stdout + run.stderr).split()))
    finally:
        os.unlink(f.name)


def check_document(doc, version, where, problems):
    """Validates one object; appends to problems; returns how it was checked (None: not a resource)."""
    api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    if not api or not kind:
        problems.append(f"{where}: apiVersion and kind are required")
        return "nothing"
    if api.split("/")[0] in NOT_RESOURCES:
        return None
    if not (doc.get("metadata") or {}).get("name"):
        problems.append(f"{where}: metadata.name is required")
    vendored = os.path.join(CRD_DIR, schema_name(api, kind))
    if os.path.exists(vendored):
        with open(vendored, encoding="utf-8") as f:
            schema = strict(json.load(f))
        body = {k: v for k, v in doc.items() if k not in ("apiVersion", "kind", "metadata")}
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(body), key=lambda e: list(e.path))
        for e in errors:
            problems.append(f"{where}: {'.'.join(str(p) for p in e.path) or '(root)'}: {e.message}")
        # The CRD schema's metadata is just "type: object"; the API server checks it as
        # ObjectMeta, and so do we, through a built-in kind's schema.
        meta_probe = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": doc.get("metadata") or {}}
        try:
            kubernetes_validate.validate(meta_probe, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            problems.append(f"{where}: metadata: {e.message}")
        how = f"CRD schema {os.path.basename(vendored)}"
    else:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(f"{where}: no schema: not a Kubernetes {version} kind, and no CRD schema "
                            f"vendored as .ci/crd-schemas/{schema_name(api, kind)} (see --vendor)")
            return "nothing"
        except kubernetes_validate.ValidationError as e:
            problems.append(f"{where}: {'.'.join(str(p) for p in e.path) or '(root)'}: {e.message}")
        how = f"Kubernetes {version} strict"
    if kind == "ScaledObject":
        for trigger in (doc.get("spec") or {}).get("triggers") or []:
            if trigger.get("type") == "prometheus":
                check_promql((trigger.get("metadata") or {}).get("query", ""), where, problems)
    return how


def self_test(docs, version):
    """Proves the checker can fail: for every kind it is about to pass, a copy with an unknown
    field must be rejected, and so must an unknown kind. Returns the problems of the checker."""
    broken = []
    kinds = {}
    for doc in docs:
        kinds.setdefault((doc.get("apiVersion"), doc.get("kind")), doc)
    for (api, kind), doc in sorted(kinds.items(), key=str):
        if not api or api.split("/")[0] in NOT_RESOURCES:
            continue
        mutant = json.loads(json.dumps(doc))
        target = mutant.get("spec") if isinstance(mutant.get("spec"), dict) else mutant
        target["notAField"] = 1
        found = []
        check_document(mutant, version, "self-test", found)
        if not any("notAField" in p for p in found):
            broken.append(f"self-test: {kind} {api} with an unknown field passed: the checker is not strict")
    found = []
    check_document({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}, version,
                   "self-test", found)
    if not found:
        broken.append("self-test: an unknown kind passed: the checker skips what it has no schema for")
    return broken


def validate(files, version):
    problems, checked, loaded = [], [], []
    for path in files:
        with open(path, encoding="utf-8") as f:
            try:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as e:
                problems.append(f"{path}: not YAML: {e}")
                continue
        for index, doc in enumerate(docs):
            if not isinstance(doc, dict):
                problems.append(f"{path} document {index + 1}: not a mapping")
                continue
            loaded.append(doc)
            where = f"{path} document {index + 1} ({doc.get('kind') or '?'} {doc.get('apiVersion') or '?'})"
            how = check_document(doc, version, where, problems)
            if how:
                checked.append(f"{os.path.basename(path)}:{doc.get('kind')} ({how})")
    problems += self_test(loaded, version)
    for p in problems:
        print("FAIL " + p)
    print(f"checked {len(checked)} objects: " + ", ".join(checked))
    return 1 if problems or not checked else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", "--kubernetes-version", default="1.30.0")
    parser.add_argument("--vendor", metavar="CRD.yaml")
    parser.add_argument("--source", help="provenance of --vendor: REPO@COMMIT:PATH")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    if args.vendor:
        if not args.source:
            parser.error("--vendor needs --source")
        vendor(args.vendor, args.source)
        return 0
    if not args.files:
        parser.error("no files")
    return validate(args.files, args.kubernetes_version)


if __name__ == "__main__":
    sys.exit(main())
