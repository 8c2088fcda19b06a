// SPDX-License-Identifier: GPL-2.0
//
// mls against ts-mls: one MLS group (RFC 9420) across two implementations.
//
// The members of ts-mls live in this process; the members of mls are
// run by mlsctl member (libmlsclient over /dev/mls), one command a step,
// as processes of their own. Everything between the two sides is RFC 9420
// wire bytes in files: MLSMessage(KeyPackage), MLSMessage(Welcome) with
// the ratchet_tree extension, PublicMessage and PrivateMessage Commits,
// PrivateMessage application messages. After every epoch change both
// sides must agree on the epoch, the epoch_authenticator and an
// MLS-Exporter value (RFC 9420 section 8.5), mls's read from the kernel.
//
// Each ciphersuite given runs two scenarios: (a) ts-mls creates the group
// and adds a member of mls; (b) mls creates it and adds a member of
// ts-mls. Output: TAP, one line per check, and a closing
// "N passed, N failed" line.
//
// usage: node interop.mjs [--mlsctl PATH] [--dir DIR] [SUITE...]
//        (default: suites 1 to 7, mlsctl from PATH, a new directory in /tmp)

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	acceptAll,
	bytesToBase64,
	ciphersuites,
	createApplicationMessage,
	createCommit,
	createGroup,
	createProposal,
	decodeMlsMessage,
	defaultCapabilities,
	defaultLifetime,
	emptyPskIndex,
	encodeMlsMessage,
	generateKeyPackageWithKey,
	getCiphersuiteFromName,
	getCiphersuiteImpl,
	joinGroup,
	makePskIndex,
	mlsExporter,
	processMessage,
	processPrivateMessage,
} from "ts-mls";
import { decodeRatchetTree, encodeRatchetTree } from "ts-mls/ratchetTree.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";

let mlsctl = "mlsctl";
let dir = null;
const suites = [];
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === "--mlsctl") mlsctl = process.argv[++i];
	else if (a === "--dir") dir = process.argv[++i];
	else if (/^[0-9]+$/.test(a)) suites.push(Number(a));
	else {
		console.error(`interop: unknown argument ${a}`);
		process.exit(2);
	}
}
if (suites.length === 0) suites.push(1, 2, 3, 4, 5, 6, 7);
dir ??= mkdtempSync(join(tmpdir(), "mls-interop-"));

const te = new TextEncoder();
const td = new TextDecoder();
const hex = (b) => Buffer.from(b).toString("hex");
const EXPORTER_LABEL = "mls interop";
const EXPORTER_CONTEXT = te.encode("ts-mls and mls");

let passed = 0;
let failed = 0;
let n = 0;
function ok(cond, name, diag) {
	n++;
	if (cond) {
		passed++;
		console.log(`ok ${n} - ${name}`);
	} else {
		failed++;
		console.log(`not ok ${n} - ${name}`);
		if (diag) for (const l of String(diag).split("\n")) console.log(`# ${l}`);
	}
	return cond;
}

// A check that runs code: its exception fails it (with the message).
async function step(name, fn) {
	try {
		const r = await fn();
		if (r === false) return ok(false, name);
		ok(true, name);
		return true;
	} catch (e) {
		ok(false, name, e.stack || e);
		return false;
	}
}

// mlsctl, with its standard output returned (a failure throws, its
// standard error and status in the message).
function ctl(args, input) {
	try {
		return execFileSync(mlsctl, args, {
			input,
			cwd: dir,
			stdio: ["pipe", "pipe", "pipe"],
			maxBuffer: 1 << 20,
		});
	} catch (e) {
		throw new Error(`mlsctl ${args.join(" ")}: status ${e.status}: ${e.stderr}`);
	}
}

// "id ID epoch E leaf L ..." of mlsctl member create/join/add/update/show
function memberLine(out) {
	const m = /^id ([0-9]+) epoch ([0-9]+) leaf ([0-9]+)/.exec(td.decode(out));
	if (!m) throw new Error(`unexpected mlsctl output: ${td.decode(out)}`);
	return { id: m[1], epoch: BigInt(m[2]), leaf: Number(m[3]) };
}

const path = (name) => join(dir, name);
const write = (name, bytes) => writeFileSync(path(name), bytes);
const read = (name) => new Uint8Array(readFileSync(path(name)));

function decode(bytes, wireformat) {
	const d = decodeMlsMessage(bytes, 0);
	if (!d) throw new Error(`ts-mls cannot decode the ${wireformat} message`);
	const [msg, used] = d;
	if (msg.wireformat !== wireformat)
		throw new Error(`expected ${wireformat}, got ${msg.wireformat}`);
	if (used !== bytes.length)
		throw new Error(`${bytes.length - used} bytes after the MLSMessage`);
	return msg;
}

const encMsg = (m) => encodeMlsMessage({ version: "mls10", ...m });

// ts-mls 1.6.4 makes an ECDSA signature key's public half a compressed
// SEC1 point (noble's getPublicKey default), which RFC 9420 section 5.1.1
// rules out: "the public key is represented as an encoded
// UncompressedPointRepresentation struct" (RFC 8446). mls refuses such a
// KeyPackage (EBADMSG) and a tree holding such a leaf (EPROTO). The
// members of ts-mls here get the same key pair with its uncompressed
// encoding, which ts-mls verifies as well; nothing else is changed.
const ecdsaCurve = { 2: p256, 5: p521, 7: p384 };

async function signatureKeyPair(impl, suite) {
	const k = await impl.signature.keygen();
	const curve = ecdsaCurve[suite];
	if (!curve) return k;
	return { signKey: k.signKey, publicKey: curve.getPublicKey(k.signKey, false) };
}

// A member of ts-mls.
class TsMember {
	constructor(name, impl, suite) {
		this.name = name;
		this.impl = impl;
		this.suite = suite;
		this.psks = {};	// external PSKs, by base64 psk_id
	}
	async keyPackage() {
		const cred = { credentialType: "basic", identity: te.encode(this.name) };
		this.kp = await generateKeyPackageWithKey(cred, defaultCapabilities(), defaultLifetime, [],
			await signatureKeyPair(this.impl, this.suite), this.impl);
		return encMsg({ wireformat: "mls_key_package", keyPackage: this.kp.publicPackage });
	}
	async create(groupId) {
		await this.keyPackage();
		this.state = await createGroup(groupId, this.kp.publicPackage, this.kp.privatePackage, [], this.impl);
	}
	// With treeBytes (an encoded optional<Node> ratchet_tree<V>, given out
	// of band), else from the GroupInfo's ratchet_tree extension.
	async join(welcomeBytes, treeBytes) {
		const w = decode(welcomeBytes, "mls_welcome");
		let tree;
		if (treeBytes) {
			const d = decodeRatchetTree(treeBytes, 0);
			if (!d || d[1] !== treeBytes.length) throw new Error("ts-mls cannot decode mls's tree");
			tree = d[0];
		}
		this.state = await joinGroup(w.welcome, this.kp.publicPackage, this.kp.privatePackage,
			emptyPskIndex, this.impl, tree);
	}
	// The member's external PSKs and its group's resumption PSKs; a PSK
	// it does not have is printed (a diagnostic for the failure to come).
	pskIndex() {
		const index = makePskIndex(this.state, this.psks);
		return {
			findPsk(id) {
				const psk = index.findPsk(id);
				if (psk === undefined)
					console.log(`# ts-mls has no PSK ${id.psktype} ` +
						(id.psktype === "external" ? `psk_id ${hex(id.pskId)}`
							: `epoch ${id.pskEpoch} group ${hex(id.pskGroupId)}`));
				return psk;
			},
		};
	}
	async propose(proposal) {
		const r = await createProposal(this.state, true, proposal, this.impl);
		this.state = r.newState;
		return encodeMlsMessage(r.message);
	}
	get epoch() {
		return this.state.groupContext.epoch;
	}
	async commit(proposals, opts = {}) {
		const r = await createCommit({ state: this.state, cipherSuite: this.impl,
			pskIndex: this.pskIndex() },
			{ extraProposals: proposals, ratchetTreeExtension: true, ...opts });
		this.state = r.newState;
		return {
			commit: encodeMlsMessage(r.commit),
			welcome: r.welcome && encMsg({ wireformat: "mls_welcome", welcome: r.welcome }),
		};
	}
	async send(text) {
		const r = await createApplicationMessage(this.state, te.encode(text), this.impl);
		this.state = r.newState;
		return encMsg({ wireformat: "mls_private_message", privateMessage: r.privateMessage });
	}
	// A message of the group: returns the result of processMessage.
	async process(bytes) {
		const d = decodeMlsMessage(bytes, 0);
		if (!d) throw new Error("ts-mls cannot decode the message");
		if (d[1] !== bytes.length) throw new Error(`${bytes.length - d[1]} bytes after the MLSMessage`);
		// ts-mls 1.6.4's processMessage() hands a PrivateMessage to
		// processPrivateMessage() with an empty PSK index, whatever it
		// was given: a Commit with a PSK in a PrivateMessage cannot be
		// followed that way. processPrivateMessage() itself takes the index.
		const r = d[0].wireformat === "mls_private_message"
			? await processPrivateMessage(this.state, d[0].privateMessage, this.pskIndex(),
				this.impl, acceptAll)
			: await processMessage(d[0], this.state, this.pskIndex(), acceptAll, this.impl);
		this.state = r.newState;
		return r;
	}
	async exporter() {
		return mlsExporter(this.state.keySchedule.exporterSecret, EXPORTER_LABEL,
			EXPORTER_CONTEXT, 32, this.impl);
	}
	get authenticator() {
		return this.state.keySchedule.epochAuthenticator;
	}
}

// A member of mls: its state file, private file and kernel group id.
class OurMember {
	constructor(name, suite) {
		this.name = name;
		this.suite = suite;
		this.stateFile = path(`${name}.state`);
		this.priv = path(`${name}.priv`);
	}
	keyPackage() {
		ctl(["member", "keypackage", "identity", this.name, "private", this.priv,
			"out", path(`${this.name}.kp`), "suite", String(this.suite)]);
		return read(`${this.name}.kp`);
	}
	create(groupId) {
		this.keyPackage();
		this.info = memberLine(ctl(["member", "create", "state", this.stateFile,
			"group-id", hex(groupId), "private", this.priv]));
	}
	join(welcomeBytes, treeBytes) {
		write(`${this.name}.welcome`, welcomeBytes);
		const tree = [];
		if (treeBytes) {
			write(`${this.name}.tree`, treeBytes);
			tree.push("tree", path(`${this.name}.tree`));
		}
		this.info = memberLine(ctl(["member", "join", "state", this.stateFile,
			"private", this.priv, "welcome", path(`${this.name}.welcome`), ...tree]));
	}
	show() {
		this.info = memberLine(ctl(["member", "show", "state", this.stateFile]));
		return this.info;
	}
	get epoch() {
		return this.show().epoch;
	}
	send(text) {
		return new Uint8Array(ctl(["member", "send", "state", this.stateFile], te.encode(text)));
	}
	// A PrivateMessage(application): its data as mlsctl prints it.
	receive(bytes) {
		write(`${this.name}.in`, bytes);
		return td.decode(ctl(["member", "receive", "state", this.stateFile,
			"in", path(`${this.name}.in`)]));
	}
	// A Commit: "commit epoch E sender-leaf L [removed]".
	process(bytes, extra = []) {
		write(`${this.name}.in`, bytes);
		return td.decode(ctl(["member", "process", "state", this.stateFile,
			"in", path(`${this.name}.in`), ...extra])).trim();
	}
	update(extra = []) {
		const out = path(`${this.name}.commit`);
		memberLine(ctl(["member", "update", "state", this.stateFile, "out", out, "merge", ...extra]));
		return read(`${this.name}.commit`);
	}
	// A Commit of the given Proposal messages, by reference.
	commitProposals(proposalBytes) {
		write(`${this.name}.proposal`, proposalBytes);
		const out = path(`${this.name}.commit`);
		memberLine(ctl(["member", "commit", "state", this.stateFile, "out", out,
			"proposal", path(`${this.name}.proposal`), "merge"]));
		return read(`${this.name}.commit`);
	}
	add(kpBytes, extra = []) {
		write("new.kp", kpBytes);
		const out = path(`${this.name}.commit`);
		const wel = path(`${this.name}.welcome-out`);
		memberLine(ctl(["member", "add", "state", this.stateFile, "key-package", path("new.kp"),
			"out", out, "welcome", wel, "merge", ...extra]));
		return { commit: read(`${this.name}.commit`), welcome: read(`${this.name}.welcome-out`) };
	}
	remove(leaf, extra = []) {
		const out = path(`${this.name}.commit`);
		memberLine(ctl(["member", "remove", "state", this.stateFile, "leaf", String(leaf),
			"out", out, "merge", ...extra]));
		return read(`${this.name}.commit`);
	}
	exporter() {
		return td.decode(ctl(["group", "export-secret", this.show().id, "label", EXPORTER_LABEL,
			"context", hex(EXPORTER_CONTEXT), "length", "32"])).trim();
	}
	authenticator() {
		return td.decode(ctl(["group", "authenticator", this.show().id])).trim();
	}
	destroy() {
		if (this.info) ctl(["group", "destroy", this.info.id]);
	}
}

// Both sides hold the same epoch: its number, epoch_authenticator and
// an exported secret.
async function agree(tag, ts, ours, epoch) {
	const e = ours.epoch;
	ok(e === epoch && ts.epoch === epoch, `${tag}: both in epoch ${epoch}`,
		`mls ${e}, ts-mls ${ts.epoch}`);
	const a = ours.authenticator();
	ok(a === hex(ts.authenticator), `${tag}: same epoch_authenticator`,
		`mls ${a}\nts-mls ${hex(ts.authenticator)}`);
	const x = ours.exporter();
	const tx = hex(await ts.exporter());
	ok(x === tx, `${tag}: same MLS-Exporter("${EXPORTER_LABEL}")`, `mls ${x}\nts-mls ${tx}`);
}

// Application messages both ways in the current epoch.
async function talk(tag, ts, ours) {
	const t1 = `from ${ts.name} (ts-mls) in epoch ${ts.epoch}`;
	await step(`${tag}: ts-mls → mls application message`, async () => {
		const got = ours.receive(await ts.send(t1));
		if (got !== t1) throw new Error(`mls read "${got}"`);
	});
	await step(`${tag}: mls → ts-mls application message`, async () => {
		const t2 = `from ${ours.name} (mls) in epoch ${ts.epoch}`;
		const r = await ts.process(ours.send(t2));
		if (r.kind !== "applicationMessage") throw new Error(`ts-mls got a ${r.kind}`);
		if (td.decode(r.message) !== t2) throw new Error(`ts-mls read "${td.decode(r.message)}"`);
	});
}

// (a) ts-mls creates the group and adds bob of mls; then commits of
// each side, each processed by the other.
async function scenarioA(suite, impl) {
	const tag = `suite ${suite} ts-mls creates`;
	const alice = new TsMember("alice", impl, suite);
	const bob = new OurMember(`bob${suite}a`, suite);
	const carol = new TsMember("carol", impl, suite);
	const dave = new OurMember(`dave${suite}a`, suite);
	try {
		await alice.create(te.encode(`interop-a-${suite}`));
		let welcome;
		if (!await step(`${tag}: ts-mls adds mls's KeyPackage`, async () => {
			const kp = decode(bob.keyPackage(), "mls_key_package");
			const r = await alice.commit([{ proposalType: "add", add: { keyPackage: kp.keyPackage } }]);
			welcome = r.welcome;
		})) return;
		if (!await step(`${tag}: mls joins from ts-mls's Welcome (ratchet_tree in its GroupInfo)`,
			() => bob.join(welcome))) return;
		await agree(`${tag}, Add`, alice, bob, 1n);
		await talk(`${tag}, epoch 1`, alice, bob);

		await step(`${tag}: ts-mls processes mls's update Commit (PublicMessage)`, async () => {
			const r = await alice.process(bob.update());
			if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
		});
		await agree(`${tag}, mls update`, alice, bob, 2n);

		await step(`${tag}: mls processes ts-mls's empty Commit with path (PrivateMessage)`, async () => {
			const c = await alice.commit([], { wireAsPublicMessage: false });
			const out = bob.process(c.commit);
			if (!/^commit epoch 3 sender-leaf 0$/.test(out)) throw new Error(`mlsctl: ${out}`);
		});
		await agree(`${tag}, ts-mls commit`, alice, bob, 3n);

		let addCarol;
		await step(`${tag}: mls processes ts-mls's Add of a second ts-mls member (PublicMessage)`, async () => {
			const kp = decode(await carol.keyPackage(), "mls_key_package");
			addCarol = await alice.commit([{ proposalType: "add", add: { keyPackage: kp.keyPackage } }],
				{ wireAsPublicMessage: true });
			const out = bob.process(addCarol.commit);
			if (!/^commit epoch 4 sender-leaf 0$/.test(out)) throw new Error(`mlsctl: ${out}`);
		});
		await agree(`${tag}, ts-mls Add`, alice, bob, 4n);
		await step(`${tag}: the second ts-mls member joins`, () => carol.join(addCarol.welcome));

		await step(`${tag}: ts-mls (both members) process mls's Remove of the second (PrivateMessage)`, async () => {
			const c = bob.remove(2, ["private-message"]);
			const r = await alice.process(c);
			if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
			const rc = await carol.process(c);
			if (rc.kind !== "newState" || rc.newState.groupActiveState.kind !== "removedFromGroup")
				throw new Error("the removed ts-mls member does not see itself removed");
		});
		await agree(`${tag}, mls Remove`, alice, bob, 5n);

		await step(`${tag}: ts-mls processes mls's update Commit (PrivateMessage)`, async () => {
			const r = await alice.process(bob.update(["private-message"]));
			if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
		});
		await agree(`${tag}, mls update`, alice, bob, 6n);
		await talk(`${tag}, epoch 6`, alice, bob);

		let addDave;
		await step(`${tag}: mls processes ts-mls's Add of a second mls member, its Welcome without the tree`, async () => {
			const kp = decode(dave.keyPackage(), "mls_key_package");
			addDave = await alice.commit([{ proposalType: "add", add: { keyPackage: kp.keyPackage } }],
				{ ratchetTreeExtension: false });
			addDave.tree = encodeRatchetTree(alice.state.ratchetTree);
			const out = bob.process(addDave.commit);
			if (!/^commit epoch 7 sender-leaf 0$/.test(out)) throw new Error(`mlsctl: ${out}`);
		});
		await step(`${tag}: the second mls member joins, the tree out of band`,
			() => dave.join(addDave.welcome, addDave.tree));
		await agree(`${tag}, ts-mls Add`, alice, bob, 7n);
		await agree(`${tag}, ts-mls Add (second mls member)`, alice, dave, 7n);
		await talk(`${tag}, epoch 7 (second mls member)`, alice, dave);

		await step(`${tag}: ts-mls and mls process the second mls member's update (PrivateMessage)`, async () => {
			const c = dave.update(["private-message"]);
			const r = await alice.process(c);
			if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
			const out = bob.process(c);
			if (!/^commit epoch 8 sender-leaf 2$/.test(out)) throw new Error(`mlsctl: ${out}`);
		});
		await agree(`${tag}, second mls member's update`, alice, bob, 8n);
		await agree(`${tag}, second mls member's update (itself)`, alice, dave, 8n);
	} finally {
		for (const m of [bob, dave]) {
			try { m.destroy(); } catch (e) { ok(false, `${tag}: destroy ${m.name}'s kernel group`, e); }
		}
	}
}

// psk_nonce is KDF.Nh bytes (RFC 9420 section 8.4).
const kdfNh = { 1: 32, 2: 32, 3: 32, 4: 64, 5: 64, 6: 64, 7: 48 };

// PSKs (RFC 9420 section 8.4) across the two, from epoch e: an external
// PSK in a Commit of each side, then a resumption PSK of a past epoch in
// a Commit of each side (mls's resolved in the kernel, ts-mls's from its
// kept epochs).
async function pskSteps(tag, ts, ours, suite, e) {
	const pskId = te.encode(`interop psk ${suite}`);
	const psk = te.encode(`the external PSK of suite ${suite}`);
	write("psk", psk);
	ts.psks[bytesToBase64(pskId)] = psk;
	const ext = ["psk-id", hex(pskId), "psk", path("psk")];

	await step(`${tag}: ts-mls processes mls's update with an external PSK`, async () => {
		const r = await ts.process(ours.update([...ext, "private-message"]));
		if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
	});
	await agree(`${tag}, mls external PSK`, ts, ours, e + 1n);

	await step(`${tag}: mls processes ts-mls's Commit of an external PSK proposal`, async () => {
		const nonce = crypto.getRandomValues(new Uint8Array(kdfNh[suite]));
		const c = await ts.commit([{ proposalType: "psk", psk: { preSharedKeyId:
			{ psktype: "external", pskId, pskNonce: nonce } } }]);
		const out = ours.process(c.commit, ext);
		if (!new RegExp(`^commit epoch ${e + 2n} `).test(out)) throw new Error(`mlsctl: ${out}`);
	});
	await agree(`${tag}, ts-mls external PSK`, ts, ours, e + 2n);

	await step(`${tag}: ts-mls processes mls's update with the resumption PSK of epoch ${e + 1n}`, async () => {
		const r = await ts.process(ours.update(["resumption-psk", String(e + 1n)]));
		if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
	});
	await agree(`${tag}, mls resumption PSK`, ts, ours, e + 3n);

	await step(`${tag}: mls processes ts-mls's Commit of the resumption PSK of epoch ${e + 2n}`, async () => {
		const nonce = crypto.getRandomValues(new Uint8Array(kdfNh[suite]));
		const c = await ts.commit([{ proposalType: "psk", psk: { preSharedKeyId: {
			psktype: "resumption", usage: "application", pskGroupId: ts.state.groupContext.groupId,
			pskEpoch: e + 2n, pskNonce: nonce } } }]);
		const out = ours.process(c.commit);
		if (!new RegExp(`^commit epoch ${e + 3n + 1n} `).test(out)) throw new Error(`mlsctl: ${out}`);
	});
	await agree(`${tag}, ts-mls resumption PSK`, ts, ours, e + 4n);
}

// An application message of the epoch before, read once the other side
// has moved on: each side keeps the keys of a past epoch for a while.
async function lateSteps(tag, ts, ours, e) {
	const t1 = `late from ${ts.name} (ts-mls), epoch ${e}`;
	const t2 = `late from ${ours.name} (mls), epoch ${e}`;
	const m1 = await ts.send(t1);
	const m2 = ours.send(t2);
	await step(`${tag}: mls commits, then reads ts-mls's message of epoch ${e}`, async () => {
		const r = await ts.process(ours.update());
		if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
		const got = ours.receive(m1);
		if (got !== t1) throw new Error(`mls read "${got}"`);
	});
	await step(`${tag}: ts-mls commits, then reads mls's message of epoch ${e}`, async () => {
		const c = await ts.commit([]);
		const out = ours.process(c.commit);
		if (!new RegExp(`^commit epoch ${e + 2n} `).test(out)) throw new Error(`mlsctl: ${out}`);
		const r = await ts.process(m2);
		if (r.kind !== "applicationMessage") throw new Error(`ts-mls got a ${r.kind}`);
		if (td.decode(r.message) !== t2) throw new Error(`ts-mls read "${td.decode(r.message)}"`);
	});
	await agree(`${tag}, after the late messages`, ts, ours, e + 2n);

	// Out of order within the epoch: three messages of each side, read
	// last first.
	const texts = (who) => [1, 2, 3].map((i) => `${who} message ${i} of epoch ${e + 2n}`);
	await step(`${tag}: mls reads ts-mls's messages out of order`, async () => {
		const t = texts(ts.name);
		const m = [];
		for (const x of t) m.push(await ts.send(x));
		for (const i of [2, 0, 1]) {
			const got = ours.receive(m[i]);
			if (got !== t[i]) throw new Error(`mls read "${got}" for "${t[i]}"`);
		}
	});
	await step(`${tag}: ts-mls reads mls's messages out of order`, async () => {
		const t = texts(ours.name);
		const m = t.map((x) => ours.send(x));
		for (const i of [2, 0, 1]) {
			const r = await ts.process(m[i]);
			if (r.kind !== "applicationMessage" || td.decode(r.message) !== t[i])
				throw new Error(`ts-mls got ${r.kind} "${r.message && td.decode(r.message)}" for "${t[i]}"`);
		}
	});
}

// (b) mls creates the group and adds bob of ts-mls.
async function scenarioB(suite, impl) {
	const tag = `suite ${suite} mls creates`;
	const alice = new OurMember(`alice${suite}b`, suite);
	const bob = new TsMember("bob", impl, suite);
	const carol = new TsMember("carol", impl, suite);
	try {
		let welcome;
		if (!await step(`${tag}: mls adds ts-mls's KeyPackage`, async () => {
			alice.create(te.encode(`interop-b-${suite}`));
			welcome = alice.add(await bob.keyPackage()).welcome;
		})) return;
		if (!await step(`${tag}: ts-mls joins from mls's Welcome (ratchet_tree in its GroupInfo)`,
			() => bob.join(welcome))) return;
		await agree(`${tag}, Add`, bob, alice, 1n);
		await talk(`${tag}, epoch 1`, bob, alice);

		await step(`${tag}: mls processes ts-mls's empty Commit with path (PublicMessage)`, async () => {
			const c = await bob.commit([], { wireAsPublicMessage: true });
			const out = alice.process(c.commit);
			if (!/^commit epoch 2 sender-leaf 1$/.test(out)) throw new Error(`mlsctl: ${out}`);
		});
		await agree(`${tag}, ts-mls commit`, bob, alice, 2n);

		await step(`${tag}: ts-mls processes mls's update Commit (PrivateMessage)`, async () => {
			const r = await bob.process(alice.update(["private-message"]));
			if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
		});
		await agree(`${tag}, mls update`, bob, alice, 3n);

		let addCarol;
		await step(`${tag}: ts-mls processes mls's Add of a second ts-mls member (PublicMessage)`, async () => {
			addCarol = alice.add(await carol.keyPackage(), ["tree", path(`${alice.name}.tree`)]);
			addCarol.tree = read(`${alice.name}.tree`);
			const r = await bob.process(addCarol.commit);
			if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
		});
		await agree(`${tag}, mls Add`, bob, alice, 4n);
		await step(`${tag}: the second ts-mls member joins from mls's Welcome, the tree out of band`,
			() => carol.join(addCarol.welcome, addCarol.tree));
		await agree(`${tag}, second member`, carol, alice, 4n);

		await step(`${tag}: ts-mls processes mls's Commit of a ts-mls proposal by reference`, async () => {
			// A GroupContextExtensions of the same (empty) list, proposed
			// by carol (PublicMessage), which bob and alice receive.
			const p = await carol.propose({ proposalType: "group_context_extensions",
				groupContextExtensions: { extensions: [] } });
			const rp = await bob.process(p);
			if (rp.kind !== "newState") throw new Error(`ts-mls got ${rp.kind} for the proposal`);
			const c = alice.commitProposals(p);
			for (const m of [bob, carol]) {
				const r = await m.process(c);
				if (r.kind !== "newState") throw new Error(`ts-mls got ${r.kind}`);
			}
		});
		await agree(`${tag}, proposal by reference`, bob, alice, 5n);
		await agree(`${tag}, proposal by reference (proposer)`, carol, alice, 5n);

		await step(`${tag}: mls processes ts-mls's Remove of the other ts-mls member (PrivateMessage)`, async () => {
			const c = await bob.commit([{ proposalType: "remove", remove: { removed: 2 } }]);
			const out = alice.process(c.commit);
			if (!/^commit epoch 6 sender-leaf 1$/.test(out)) throw new Error(`mlsctl: ${out}`);
		});
		await agree(`${tag}, ts-mls Remove`, bob, alice, 6n);
		await talk(`${tag}, epoch 6`, bob, alice);
		await pskSteps(tag, bob, alice, suite, 6n);
		await lateSteps(tag, bob, alice, 10n);
	} finally {
		try { alice.destroy(); } catch (e) { ok(false, `${tag}: destroy the kernel group`, e); }
	}
}

const byId = Object.fromEntries(Object.entries(ciphersuites).map(([k, v]) => [v, k]));
const unsupported = [];
for (const suite of suites) {
	const name = byId[suite] ?? `suite ${suite}`;
	const t0 = Date.now();
	console.log(`# ciphersuite ${suite}: ${name}`);
	let impl;
	try {
		impl = await getCiphersuiteImpl(getCiphersuiteFromName(name));
	} catch (e) {
		// Reported, by name, as what it is: not run, and not a pass.
		console.log(`ok ${++n} - suite ${suite} ${name} # SKIP ts-mls cannot: ${e.message}`);
		unsupported.push(name);
		continue;
	}
	if (ecdsaCurve[suite]) {
		const k = await impl.signature.keygen();
		console.log(`# ts-mls's own ECDSA signature public key: ${k.publicKey.length} bytes, ` +
			`first byte ${k.publicKey[0]} (RFC 9420 5.1.1: uncompressed, 0x04); ` +
			"its members here use the uncompressed encoding");
	}
	await scenarioA(suite, impl);
	await scenarioB(suite, impl);
	console.log(`# ciphersuite ${suite}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
if (unsupported.length) console.log(`# not run, ts-mls cannot: ${unsupported.join(", ")}`);
console.log(`1..${n}`);
console.log(`${passed} passed, ${failed} failed, ${unsupported.length} skipped`);
process.exit(failed ? 1 : 0);
