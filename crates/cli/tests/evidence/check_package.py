#!/usr/bin/env python3
"""An independent check of an ombud evidence package, written apart from ombud's own code.

It uses only Python's standard library and, for the checkpoint's Ed25519 signature, the openssl
command line. It follows the package's README: file hashes, the signed checkpoint, RFC 9162
inclusion proofs, and the quoted words. Prints one line per failure and exits 1 when any.

Usage: check_package.py PACKAGE_DIR [VERIFIER_KEY]
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def sha256(data):
    return hashlib.sha256(data).digest()


def node(left, right):
    return sha256(b"\x01" + left + right)


def root_from_path(index, size, leaf, path):
    """Walks an RFC 9162 audit path from a leaf hash up; None when the path does not fit."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def check_signature(note_text, vkey, problems, what="checkpoint"):
    """Checks the note's Ed25519 signature by the key `vkey` (name+id+base64 key) with openssl."""
    try:
        name, key_id, key64 = vkey.strip().split("+", 2)
        key = base64.b64decode(key64)
    except ValueError:
        problems.append("log-key: not a verifier key")
        return False
    if len(key) != 33 or key[0] != 1:
        problems.append("log-key: not an Ed25519 verifier key")
        return False
    body, sep, sigs = note_text.rpartition("\n\n")
    if not sep:
        problems.append(what + ": no signature block")
        return False
    body += "\n"
    signature = None
    for line in sigs.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "\u2014" and parts[1] == name:
            blob = base64.b64decode(parts[2])
            if len(blob) == 68 and blob[:4].hex() == key_id.lower():
                signature = blob[4:]
    if signature is None:
        problems.append(what + ": no signature by " + name)
        return False
    der = bytes.fromhex("302a300506032b6570032100") + key[1:]
    pem = "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % base64.b64encode(der).decode()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for what, data in (("key.pem", pem.encode()), ("body", body.encode()), ("sig", signature)):
            paths[what] = os.path.join(tmp, what)
            with open(paths[what], "wb") as f:
                f.write(data)
        try:
            done = subprocess.run(
                ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["key.pem"],
                 "-rawin", "-in", paths["body"], "-sigfile", paths["sig"]],
                capture_output=True,
            )
        except FileNotFoundError:
            print("note: no openssl here; the checkpoint's signature was not checked")
            return True
        if done.returncode != 0:
            problems.append(what + ": the signature does not verify with the key")
            return False
    return True


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    root_dir = sys.argv[1]
    problems = []

    def read(name):
        path = os.path.normpath(os.path.join(root_dir, name))
        if not path.startswith(os.path.normpath(root_dir) + os.sep):
            raise ValueError(name + " lies outside the package")
        with open(path, "rb") as f:
            return f.read()

    manifest = json.loads(read("manifest.json"))
    if manifest.get("format") != "ombud-evidence 1":
        print("manifest.json: not an ombud-evidence 1 package")
        return 1

    # Every file is the one SHA256SUMS lists, and nothing was added.
    listed = set()
    for line in read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        listed.add(name)
        try:
            if hashlib.sha256(read(name)).hexdigest() != digest:
                problems.append(name + ": does not match SHA256SUMS")
        except OSError:
            problems.append(name + ": missing")
    log = manifest["log"]
    named = {"manifest.json", "claims.json", "incident.json", "README.txt",
             log["checkpoint_file"], log["key_file"], log["pem_file"]}
    named |= {s["file"] for s in manifest["sources"]} | {s["text_file"] for s in manifest["sources"]}
    named |= {d["file"] for d in manifest["decisions"] if d.get("file")}
    named |= {r["file"] for r in log.get("rotations", [])}
    for here, _, names in os.walk(root_dir):
        for n in names:
            rel = os.path.relpath(os.path.join(here, n), root_dir).replace(os.sep, "/")
            if rel == "SHA256SUMS":
                continue
            if rel not in listed:
                problems.append(rel + ": not listed in SHA256SUMS")
            elif rel not in named:
                problems.append(rel + ": not a file the manifest names")

    # The checkpoint: signed, and the one the manifest names.
    note = read(log["checkpoint_file"]).decode()
    vkey = (sys.argv[2] if len(sys.argv) > 2 else read(log["key_file"]).decode()).strip()
    # A key older than the package's is followed through each rotation statement it signed:
    # "old <key>" on its third line, "new <key>" on its fourth, signed by the old key.
    for r in log.get("rotations", []):
        text = read(r["file"]).decode()
        lines = text.split("\n")
        if len(lines) < 4 or lines[0] != "ombud-log-key-rotation 1" or lines[2] != "old " + vkey:
            continue
        if not check_signature(text, vkey, problems, r["file"]):
            break
        vkey = lines[3][len("new "):]
    check_signature(note, vkey, problems)
    lines = note.split("\n")
    size = int(lines[1])
    root = base64.b64decode(lines[2])
    if size != log["checkpoint"]["size"] or root.hex() != log["checkpoint"]["root"]:
        problems.append("checkpoint: not the checkpoint manifest.json names")

    # Each source and decision: named by its hash, and in the log at that checkpoint.
    leaves = [(s["file"], s["sha256"], s["leaf_index"], s["inclusion_proof"]) for s in manifest["sources"]]
    leaves += [
        (d["file"], d["sha256"], d["leaf_index"], d["inclusion_proof"])
        for d in manifest["decisions"]
        if d.get("file")
    ]
    leaves += [(r["file"], r["sha256"], r["leaf_index"], r["inclusion_proof"]) for r in log.get("rotations", [])]
    for file, digest, index, path in leaves:
        data = read(file)
        if hashlib.sha256(data).hexdigest() != digest or not file.endswith(digest):
            problems.append(file + ": its bytes are not the ones named")
            continue
        got = root_from_path(index, size, sha256(b"\x00" + sha256(data)), [bytes.fromhex(p) for p in path])
        if got != root:
            problems.append(file + ": its inclusion proof does not lead to the checkpoint's root")

    # Every quoted word is at its place in its source's text.
    texts = {s["sha256"]: read(s["text_file"]) for s in manifest["sources"]}
    for claim in json.loads(read("claims.json")):
        text = texts.get(claim["source"])
        if text is None:
            problems.append("claims.json: claim %s names a source not in the package" % claim["id"])
            continue
        for q in [claim["quote"]] + claim["fields"]:
            if text[q["start"]:q["end"]].decode("utf-8", "replace") != q["words"]:
                problems.append("claims.json: claim %s quotes words its source does not have there" % claim["id"])

    for p in problems:
        print("FAILED " + p)
    print("%d source(s), %d decision(s): %s" % (
        len(manifest["sources"]), len(manifest["decisions"]), "FAILED" if problems else "OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
