#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seed corpora for the host harnesses, made at build time.

usage: seeds.py VECTORS_DIR OUT_DIR

From the RFC 9420 vectors: every MLSMessage of message-protection.json
and messages.json (PrivateMessages, and the other wire formats, which the
parser must refuse), the decrypted contents of message-protection.json,
and the vlbytes headers of deserialization.json. Made here: messages as
the module writes them with lengths at each varint size, and gzip
payloads of every block type, header flag and member count, bombs
included.

For the client's harnesses, valid handshake messages: every MLSMessage
of messages.json, welcome.json and the passive-client files (Welcome,
GroupInfo, KeyPackage, PublicMessage Commits and Proposals), the
structures of messages.json alone (GroupSecrets, each proposal type,
Commit, ratchet tree), the trees of tree-validation.json with their
group ids; and for client_commit, trees with the Commits made for them:
each UpdatePath of treekem.json as a Commit of its sender, each proposal
of tree-operations.json as a Commit of its sender, and messages.json's
Commits over its tree. Nothing of this is committed; fuzz/corpus/ holds
the inputs that are.
"""
import gzip
import hashlib
import json
import os
import struct
import sys
import zlib


def varint(n):
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return struct.pack(">H", 0x4000 | n)
    return struct.pack(">I", 0x80000000 | n)


def vec(b):
    return varint(len(b)) + b


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = {}

    def add(self, harness, data):
        d = os.path.join(self.out, harness)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.count[harness] = self.count.get(harness, 0) + 1


def private_message(gid, epoch, ctype, ad, ct_len, fill=0x5a):
    return (struct.pack(">HH", 1, 2) + vec(gid) + struct.pack(">QB", epoch, ctype)
            + vec(ad) + vec(bytes([fill]) * 28) + vec(bytes([fill]) * ct_len))


def gzip_member(raw, flags=0, level=6, extra=b"", name=b"", comment=b""):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = c.compress(raw) + c.flush()
    hdr = bytes([0x1f, 0x8b, 8, flags]) + b"\0\0\0\0\0\3"
    if flags & 4:
        hdr += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        hdr += name + b"\0"
    if flags & 16:
        hdr += comment + b"\0"
    if flags & 2:
        hdr += struct.pack("<H", zlib.crc32(hdr) & 0xffff)
    return hdr + body + struct.pack("<II", zlib.crc32(raw), len(raw) & 0xffffffff)


# client_message's selectors (fuzz/client_message.c)
SEL_MESSAGE, SEL_GROUP_SECRETS, SEL_PROPOSAL, SEL_COMMIT, SEL_GROUP_INFO, \
    SEL_TREE, SEL_LEAF_NODE = range(7)


def commit_input(suite, group_id, epoch, tree, committer, body):
    """client_commit's input (fuzz/client_commit.c)."""
    return (struct.pack(">H", suite) + vec(group_id) + struct.pack(">Q", epoch)
            + vec(tree) + struct.pack(">I", committer) + body)


def client_seeds(s, vectors):
    def load(name):
        with open(os.path.join(vectors, name)) as f:
            return json.load(f)

    def message(hexstr):
        s.add("client_message", bytes([SEL_MESSAGE]) + bytes.fromhex(hexstr))

    msgs = load("messages.json")
    for case in msgs:
        for key in ("mls_welcome", "mls_group_info", "mls_key_package",
                    "public_message_application", "public_message_proposal",
                    "public_message_commit", "private_message"):
            message(case[key])
        for key in ("add_proposal", "update_proposal", "remove_proposal",
                    "pre_shared_key_proposal", "re_init_proposal",
                    "external_init_proposal",
                    "group_context_extensions_proposal"):
            s.add("client_message", bytes([SEL_PROPOSAL]) + bytes.fromhex(case[key]))
        s.add("client_message", bytes([SEL_GROUP_SECRETS]) + bytes.fromhex(case["group_secrets"]))
        s.add("client_message", bytes([SEL_COMMIT]) + bytes.fromhex(case["commit"]))
        tree = bytes.fromhex(case["ratchet_tree"])
        s.add("client_message", bytes([SEL_TREE]) + struct.pack(">H", 1) + vec(b"") + tree)
        # its GroupInfo without the MLSMessage header
        s.add("client_message", bytes([SEL_GROUP_INFO]) + bytes.fromhex(case["mls_group_info"])[4:])
        s.add("client_commit", commit_input(1, b"", 0, tree, 0,
                                            bytes.fromhex(case["commit"])))
        s.add("client_commit", commit_input(1, b"", 0, tree, 0,
                                            bytes.fromhex(case["public_message_commit"])))
    for case in load("welcome.json"):
        message(case["welcome"])
        message(case["key_package"])
    for name in ("passive-client-welcome.json", "passive-client-handling-commit.json",
                 "passive-client-random.json"):
        for case in load(name):
            message(case["welcome"])
            message(case["key_package"])
            tree = case.get("ratchet_tree")
            if tree:
                s.add("client_message", bytes([SEL_TREE]) + struct.pack(">H", int(case["cipher_suite"]))
                      + vec(b"") + bytes.fromhex(tree))
            for epoch in case["epochs"][:4]:
                message(epoch["commit"])
                for p in epoch["proposals"]:
                    message(p)
    for case in load("tree-validation.json"):
        s.add("client_message", bytes([SEL_TREE]) + struct.pack(">H", int(case["cipher_suite"]))
              + vec(bytes.fromhex(case["group_id"])) + bytes.fromhex(case["tree"]))
    for case in load("treekem.json"):
        suite = int(case["cipher_suite"])
        gid = bytes.fromhex(case["group_id"])
        tree = bytes.fromhex(case["ratchet_tree"])
        for up in case["update_paths"]:
            commit = b"\x00" + b"\x01" + bytes.fromhex(up["update_path"])
            s.add("client_commit", commit_input(suite, gid, int(case["epoch"]), tree,
                                                int(up["sender"]), commit))
    for case in load("tree-operations.json"):
        # a Commit by value of the proposal, without a path
        por = b"\x01" + bytes.fromhex(case["proposal"])
        commit = vec(por) + b"\x00"
        s.add("client_commit", commit_input(int(case["cipher_suite"]), b"", 0,
                                            bytes.fromhex(case["tree_before"]),
                                            int(case["proposal_sender"]), commit))


def main():
    vectors, out = sys.argv[1], sys.argv[2]
    s = Seeds(out)

    with open(os.path.join(vectors, "message-protection.json")) as f:
        mp = json.load(f)
    for case in mp:
        for key in ("application", "proposal", "commit"):
            s.add("message", bytes.fromhex(case[key + "_priv"]))
            if key + "_pub" in case:
                s.add("message", bytes.fromhex(case[key + "_pub"]))
        app = bytes.fromhex(case["application"])
        sig = bytes(range(64))
        for pad in (0, 1, 16):
            s.add("plaintext", b"\1" + vec(app) + vec(sig) + bytes(pad))
        s.add("plaintext", b"\2" + bytes.fromhex(case["proposal"]))
        s.add("plaintext", b"\3" + bytes.fromhex(case["commit"]))

    with open(os.path.join(vectors, "messages.json")) as f:
        msgs = json.load(f)
    for i, case in enumerate(msgs):
        s.add("message", bytes.fromhex(case["private_message"]))
        if i < 8:
            for key, val in case.items():
                if key != "private_message":
                    s.add("message", bytes.fromhex(val))

    with open(os.path.join(vectors, "deserialization.json")) as f:
        des = json.load(f)
    for case in des:
        hdr = bytes.fromhex(case["vlbytes_header"])
        n = int(case["length"])
        s.add("codec", bytes([1, 255, 5]) + hdr)
        body = bytes(n) if n <= 4096 else b""
        s.add("codec", bytes([1, 255, 6]) + hdr + body)
        s.add("plaintext", b"\1" + hdr + body + b"\0")

    # Messages as the module writes them: each length at the edges of the
    # three varint sizes.
    for gid_len in (0, 1, 63, 64, 255):
        for ad_len in (0, 63, 64, 16383, 16384):
            if ad_len > 64 and gid_len:
                continue
            for ct_len in (16, 17, 63, 64):
                s.add("message", private_message(bytes(range(256))[:gid_len] if gid_len else b"",
                                                 7, 1 + (ad_len % 3), bytes(ad_len), ct_len))
    s.add("message", private_message(b"g", 1 << 63, 1, b"", 16384))
    # A program of every get, for the codec.
    s.add("codec", bytes([7, 64, 0, 1, 2, 3, 4 | 8 * 3, 5, 6])
          + bytes(range(1, 16)) + b"\x00\x01\x02" + b"\x40\x40" + b"\x03abc")

    # gzip: each block type, each header flag, several members, bombs.
    text = b"".join(b"line %d of the payload\n" % i for i in range(200))
    s.add("payload", b"")
    s.add("payload", b"not gzip")
    s.add("payload", gzip.compress(b""))
    s.add("payload", gzip_member(b"short", level=0))            # stored
    s.add("payload", gzip_member(b"short text", level=9))       # fixed
    s.add("payload", gzip_member(text, level=9))                # dynamic
    s.add("payload", gzip_member(text, flags=2 | 4 | 8 | 16, extra=b"xx",
                                 name=b"name", comment=b"comment"))
    s.add("payload", gzip_member(b"a") + gzip_member(text) + gzip_member(b""))
    s.add("payload", gzip_member(bytes(1000)))                  # ratio about 30
    s.add("payload", gzip_member(bytes(100000)))                # a bomb
    s.add("payload", gzip_member(b"x") + gzip_member(bytes(100000)))
    lie = bytearray(gzip_member(bytes(100000)))
    lie[-4:] = struct.pack("<I", 10)                            # ISIZE lies
    s.add("payload", bytes(lie))

    client_seeds(s, vectors)

    for h, n in sorted(s.count.items()):
        print("seeds: %s: %d inputs" % (h, n))


if __name__ == "__main__":
    main()
