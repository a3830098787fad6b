"""The deployment files of deploy/ (docs/remote.md): the Kubernetes manifests
and the systemd unit.

The manifests are read with a small parser of the YAML they use (block
mappings and sequences, flow sequences, quoted and plain scalars, literal
blocks): the standard library has no YAML parser. Where PyYAML happens to be
installed, its reading must agree. Then the manifests must fit together:
selectors and labels, the volumes' ConfigMap and Secrets, the paths the
worker's flags name, the probes, the resources. The unit is checked with
``systemd-analyze verify`` where it exists.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from typing import Any, List, Tuple

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KUBE = os.path.join(ROOT, "deploy", "kubernetes")
SYSTEMD = os.path.join(ROOT, "deploy", "systemd")


class YamlError(Exception):
    pass


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] == " "):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith("["):
        inner = text[1:-1].strip()
        if not inner:
            return []
        items = re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', inner)
        return [_scalar(item) for item in items if item.strip()]
    if text.startswith("{"):
        inner = text[1:-1].strip()
        result = {}
        for part in inner.split(","):
            key, _, value = part.partition(":")
            result[key.strip()] = _scalar(value)
        return result
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~", ""):
        return None
    if re.fullmatch(r"0[0-7]+", text):
        return int(text, 8)       # YAML 1.1, as Kubernetes reads 0440
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text


class _Lines:
    """The document's lines as (indent, text), comments and blank lines
    dropped, flow sequences joined; literal blocks kept raw."""

    def __init__(self, text: str) -> None:
        self.raw = text.split("\n")
        self.pos = 0

    def peek(self) -> Tuple[int, str]:
        while self.pos < len(self.raw):
            line = _strip_comment(self.raw[self.pos])
            if line.strip():
                return len(line) - len(line.lstrip(" ")), line.strip()
            self.pos += 1
        return -1, ""

    def take(self) -> str:
        line = _strip_comment(self.raw[self.pos])
        self.pos += 1
        text = line.strip()
        # A flow sequence may go on over several lines.
        while text.count("[") > text.count("]"):
            if self.pos >= len(self.raw):
                raise YamlError("unclosed [")
            text += " " + _strip_comment(self.raw[self.pos]).strip()
            self.pos += 1
        return text

    def literal(self, indent: int) -> str:
        out = []
        block = None
        while self.pos < len(self.raw):
            line = self.raw[self.pos]
            if line.strip():
                ind = len(line) - len(line.lstrip(" "))
                if ind <= indent:
                    break
                if block is None:
                    block = ind
                out.append(line[block:])
            else:
                out.append("")
            self.pos += 1
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n"


def _value(lines: _Lines, indent: int, rest: str) -> Any:
    if rest == "|":
        return lines.literal(indent)
    if rest:
        return _scalar(rest)
    ind, text = lines.peek()
    if ind > indent or (ind == indent and text.startswith("- ")):
        return _node(lines, ind)
    return None


def _mapping_entry(lines: _Lines, indent: int, text: str, into: dict) -> None:
    match = re.fullmatch(r'("?[^":]+"?):(?: (.*))?', text)
    if not match:
        raise YamlError("not a mapping entry: %r" % text)
    key = match.group(1).strip('"')
    if key in into:
        raise YamlError("repeated key %r" % key)
    into[key] = _value(lines, indent, (match.group(2) or "").strip())


def _node(lines: _Lines, indent: int) -> Any:
    ind, text = lines.peek()
    if text.startswith("- "):
        result = []       # type: List[Any]
        while True:
            ind, text = lines.peek()
            if ind != indent or not text.startswith("- "):
                break
            lines.take()
            item = text[2:].strip()
            if re.match(r'^"?[^":\[{]+"?:( |$)', item):
                entry = {}
                _mapping_entry(lines, indent + 2, item, entry)
                while True:
                    ind, text = lines.peek()
                    if ind != indent + 2 or text.startswith("- "):
                        break
                    _mapping_entry(lines, indent + 2, lines.take(), entry)
                result.append(entry)
            else:
                result.append(_scalar(item))
        return result
    result = {}
    while True:
        ind, text = lines.peek()
        if ind != indent or text.startswith("- "):
            break
        _mapping_entry(lines, indent, lines.take(), result)
    if ind > indent:
        raise YamlError("bad indentation at %r" % text)
    return result


def load_all(path: str) -> List[Any]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    docs = []
    for chunk in re.split(r"^---\s*$", text, flags=re.M):
        lines = _Lines(chunk)
        if lines.peek()[0] < 0:
            continue
        doc = _node(lines, 0)
        if lines.peek()[0] >= 0:
            raise YamlError("%s: cannot read from %r" % (path, lines.peek()[1]))
        docs.append(doc)
    return docs


def manifests() -> List[Tuple[str, Any]]:
    out = []
    for name in sorted(os.listdir(KUBE)):
        if name.endswith(".yaml"):
            for doc in load_all(os.path.join(KUBE, name)):
                out.append((name, doc))
    return out


class KubernetesTest(unittest.TestCase):

    def setUp(self):
        self.docs = manifests()
        self.by_kind = {}
        for name, doc in self.docs:
            self.by_kind.setdefault(doc["kind"], []).append(doc)

    def test_same_reading_as_pyyaml(self):
        try:
            import yaml
        except ImportError:
            self.skipTest("PyYAML is not installed (it is not needed)")
        for name in sorted(os.listdir(KUBE)):
            if name.endswith(".yaml"):
                path = os.path.join(KUBE, name)
                with open(path, encoding="utf-8") as handle:
                    expected = [d for d in yaml.safe_load_all(handle) if d]
                self.assertEqual(load_all(path), expected, name)

    def test_every_object_is_named(self):
        for name, doc in self.docs:
            if doc["kind"] == "Kustomization":
                continue
            self.assertIn("apiVersion", doc, name)
            self.assertTrue(doc["metadata"]["name"], name)

    def test_kustomization_lists_every_manifest(self):
        (kustomization,) = self.by_kind["Kustomization"]
        files = sorted(n for n in os.listdir(KUBE)
                       if n.endswith(".yaml") and n != "kustomization.yaml")
        self.assertEqual(sorted(kustomization["resources"]), files)

    def test_deployment_fits_the_others(self):
        (deployment,) = self.by_kind["Deployment"]
        (service,) = self.by_kind["Service"]
        spec = deployment["spec"]
        labels = spec["template"]["metadata"]["labels"]
        for key, value in spec["selector"]["matchLabels"].items():
            self.assertEqual(labels.get(key), value)
        for key, value in service["spec"]["selector"].items():
            self.assertEqual(labels.get(key), value)
        # Headless: each pod is a worker of the pool.
        self.assertEqual(service["spec"]["clusterIP"], "None")

        pod = spec["template"]["spec"]
        (container,) = pod["containers"]
        configmaps = {d["metadata"]["name"]: d for d in self.by_kind["ConfigMap"]}
        secrets = {d["metadata"]["name"]: d for d in self.by_kind["Secret"]}
        volumes = {}
        for volume in pod["volumes"]:
            if "configMap" in volume:
                data = configmaps[volume["configMap"]["name"]]["data"]
            else:
                secret = secrets[volume["secret"]["secretName"]]
                data = secret.get("stringData") or secret.get("data")
            volumes[volume["name"]] = data
        mounts = {m["mountPath"]: volumes[m["name"]]
                  for m in container["volumeMounts"]}

        def exists(path):
            folder, _, file = path.rpartition("/")
            return folder in mounts and file in mounts[folder]

        # The script the image's entrypoint runs, and every file a flag names.
        self.assertTrue(exists("/app/worker.py"))
        self.assertIn("gobridge.run()", mounts["/app"]["worker.py"])
        args = container["args"]
        for flag in ("--tls-cert", "--tls-key", "--token-file"):
            self.assertIn(flag, args)
            self.assertTrue(exists(args[args.index(flag) + 1]), flag)
        port = container["ports"][0]
        self.assertEqual(args[args.index("--listen") + 1],
                         ":%d" % port["containerPort"])
        self.assertEqual(service["spec"]["ports"][0]["targetPort"], port["name"])

        probe = container["readinessProbe"]["exec"]["command"]
        self.assertEqual(probe[:4], ["python3", "-m", "gobridge", "check"])
        self.assertEqual(probe[4], "127.0.0.1:%d" % port["containerPort"])
        for flag in ("--tls-ca", "--token-file"):
            self.assertTrue(exists(probe[probe.index(flag) + 1]), flag)
        self.assertEqual(container["livenessProbe"]["tcpSocket"]["port"], port["name"])

        for kind in ("requests", "limits"):
            self.assertEqual(sorted(container["resources"][kind]), ["cpu", "memory"])
        # The secrets' files are readable by the worker's group.
        self.assertEqual(pod["securityContext"]["fsGroup"],
                         pod["securityContext"]["runAsGroup"])

    def test_the_script_is_a_worker(self):
        (configmap,) = self.by_kind["ConfigMap"]
        compile(configmap["data"]["worker.py"], "worker.py", "exec")


class SystemdTest(unittest.TestCase):
    UNIT = os.path.join(SYSTEMD, "gobridge-worker@.service")

    def sections(self):
        result = {}
        section = None
        with open(self.UNIT, encoding="utf-8") as handle:
            text = handle.read().replace("\\\n", " ")
        for line in text.split("\n"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = result.setdefault(line.strip("[]"), {})
                continue
            key, _, value = line.partition("=")
            section.setdefault(key, []).append(value)
        return result

    def test_unit(self):
        unit = self.sections()
        service = unit["Service"]
        self.assertEqual(service["Restart"], ["always"])
        self.assertEqual(unit["Unit"]["StartLimitIntervalSec"], ["0"])
        exec_start = service["ExecStart"][0].split()
        self.assertEqual(exec_start[:4], ["/usr/bin/python3", "-m", "gobridge", "serve"])
        credentials = {v.split(":")[0] for v in service["LoadCredential"]}
        for flag in ("--token-file", "--tls-key"):
            path = exec_start[exec_start.index(flag) + 1]
            self.assertTrue(path.startswith("%d/"), path)
            self.assertIn(path[3:], credentials)

    def test_example_environment(self):
        keys = set()
        with open(os.path.join(SYSTEMD, "example.env"), encoding="utf-8") as handle:
            for line in handle:
                if line.strip() and not line.startswith("#"):
                    keys.add(line.split("=", 1)[0])
        with open(self.UNIT, encoding="utf-8") as handle:
            used = set(re.findall(r"\$\{?([A-Z_]+)", handle.read()))
        self.assertEqual(used - keys, set())

    def test_systemd_analyze_verify(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed")
        with tempfile.TemporaryDirectory() as folder:
            shutil.copy(self.UNIT, folder)
            instance = os.path.join(folder, "gobridge-worker@test.service")
            os.symlink("gobridge-worker@.service", instance)
            env = dict(os.environ, SYSTEMD_UNIT_PATH=folder + ":")
            run = subprocess.run([analyze, "verify", "--man=no", instance],
                                 env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=60)
            output = run.stdout.decode("utf-8", "replace")
            if "gobridge-worker" not in output and run.returncode != 0:
                self.skipTest("systemd-analyze cannot run here: " + output)
            self.assertEqual(output.strip(), "")
            self.assertEqual(run.returncode, 0)


if __name__ == "__main__":
    unittest.main()
