// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * mls-hello: two members of one MLS group exchange signed messages
 * through the kernel, with libmls.
 *
 * Alice creates the group and commits an epoch that adds Bob; her control
 * plane would put the joiner_secret in a Welcome (HPKE-sealed to Bob's
 * KeyPackage); here it is simply handed over. Bob joins from it. Each then
 * sends a message signed with their own key and the other verifies it.
 *
 * usage: mls-hello [SUITE]     exit 0 ok, 1 failure, 77 no /dev/mls
 */
#include <libmls.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct member {
	const char *name;
	int gfd;
	uint32_t id;
	struct mls_sig_key *key;	/* own signature key */
};

/* Where mls_recv() finds a sender's public key: the roster of this demo. */
struct roster {
	struct mls_sig_key *pub[2];	/* by leaf */
};

static int sender_key(void *arg, uint32_t leaf, uint64_t epoch,
		      const struct mls_sig_key **key)
{
	struct roster *r = arg;

	(void)epoch;
	if (leaf >= 2 || !r->pub[leaf])
		return -ENOKEY;
	*key = r->pub[leaf];
	return 0;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "mls-hello: %s: %s\n", what, strerror(-err));
	return 1;
}

/* The public half of @key, as Bob would read it from Alice's LeafNode. */
static int public_of(const struct mls_sig_key *key, unsigned int suite,
		     struct mls_sig_key **pub)
{
	struct mls_bytes raw;
	int ret = mls_sig_key_export(key, MLS_KEY_PUBLIC, &raw);

	if (ret)
		return ret;
	ret = mls_sig_key_import(suite, MLS_KEY_PUBLIC, raw.data, raw.len, pub);
	mls_bytes_free(&raw);
	return ret;
}

static int say(struct member *from, struct member *to, struct roster *r,
	       const char *text)
{
	struct mls_received in;
	struct mls_sent out;
	int ret;

	ret = mls_send(from->gfd, from->key, text, strlen(text), NULL, 0, &out);
	if (ret)
		return fail("mls_send", ret);
	ret = mls_recv(to->gfd, sender_key, r, out.message.data, out.message.len, &in);
	mls_bytes_free(&out.message);
	if (ret)
		return fail("mls_recv", ret);
	printf("%s -> %s: \"%.*s\" (epoch %llu, leaf %u, generation %u), signature verified\n",
	       from->name, to->name, (int)in.content_len, (const char *)in.content,
	       (unsigned long long)in.epoch, in.sender_leaf, in.generation);
	mls_received_free(&in);
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t group_id[] = "mls-hello";
	uint8_t tree_hash[MLS_MAX_HASH_LEN] = { 0x11 }, transcript[MLS_MAX_HASH_LEN] = { 0x22 };
	uint8_t commit_secret[MLS_MAX_HASH_LEN], joiner[MLS_MAX_HASH_LEN];
	uint8_t welcome[MLS_MAX_HASH_LEN], auth_a[MLS_MAX_HASH_LEN], auth_b[MLS_MAX_HASH_LEN];
	size_t auth_a_len = sizeof(auth_a), auth_b_len = sizeof(auth_b), nh;
	struct member alice = { "alice", -1, 0, NULL }, bob = { "bob", -1, 0, NULL };
	struct roster roster = { { NULL, NULL } };
	unsigned int suite = argc > 1 ? (unsigned int)atoi(argv[1]) : 1;
	struct mls_group_new g;
	struct mls_commit c;
	int ctl, ret = 1, i;

	nh = mls_suite_hash_len(suite);
	if (!nh) {
		fprintf(stderr, "usage: mls-hello [SUITE 1..7]\n");
		return 1;
	}
	ctl = mls_open(0);
	if (ctl < 0) {
		fprintf(stderr, "mls-hello: /dev/mls: %s\n", strerror(-ctl));
		return 77;
	}
	printf("suite %u: %s\n", suite, mls_suite_name(suite));

	/* Alice: leaf 0 of a new group, epoch 0, a random epoch secret. */
	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)suite;
	g.flags = MLS_GROUP_F_EPHEMERAL;	/* gone when this program exits */
	mls_buf_set(&g.group_id, group_id, sizeof(group_id) - 1);
	mls_buf_set(&g.context.tree_hash, tree_hash, nh);
	g.roster.leaf_count = 1;
	alice.gfd = mls_group_create(ctl, &g);
	if (alice.gfd < 0) {
		ret = fail("create", alice.gfd);
		goto out;
	}
	alice.id = g.id;
	printf("alice: created group %u, epoch 0, leaf 0\n", alice.id);

	/*
	 * Alice commits an Add of Bob: epoch 1 of two leaves. Her TreeKEM gave
	 * the commit_secret and the new tree and transcript hashes.
	 */
	for (i = 0; i < (int)nh; i++)
		commit_secret[i] = (uint8_t)(i * 7 + 1);
	tree_hash[0] = 0x12;
	memset(&c, 0, sizeof(c));
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mls_buf_set(&c.commit_secret, commit_secret, nh);
	c.context.epoch = 1;
	mls_buf_set(&c.context.tree_hash, tree_hash, nh);
	mls_buf_set(&c.context.confirmed_transcript_hash, transcript, nh);
	c.roster.own_leaf = 0;
	c.roster.leaf_count = 2;
	mls_buf_set(&c.joiner_secret, joiner, nh);
	mls_buf_set(&c.welcome_secret, welcome, nh);
	ret = mls_commit(alice.gfd, &c);
	if (ret) {
		ret = fail("commit", ret);
		goto out;
	}
	printf("alice: committed epoch 1 (2 leaves), joiner_secret goes into the Welcome\n");

	/* Bob: joins from the joiner_secret and the same GroupContext. */
	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)suite;
	g.flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, group_id, sizeof(group_id) - 1);
	mls_buf_set(&g.joiner_secret, joiner, nh);
	g.context.epoch = 1;
	mls_buf_set(&g.context.tree_hash, tree_hash, nh);
	mls_buf_set(&g.context.confirmed_transcript_hash, transcript, nh);
	g.roster.own_leaf = 1;
	g.roster.leaf_count = 2;
	bob.gfd = mls_group_join(ctl, &g);
	memset(joiner, 0, sizeof(joiner));
	if (bob.gfd < 0) {
		ret = fail("join", bob.gfd);
		goto out;
	}
	bob.id = g.id;
	printf("bob:   joined as group %u, epoch 1, leaf 1\n", bob.id);

	ret = mls_epoch_authenticator(alice.gfd, auth_a, &auth_a_len, NULL);
	if (!ret)
		ret = mls_epoch_authenticator(bob.gfd, auth_b, &auth_b_len, NULL);
	if (ret) {
		ret = fail("epoch_authenticator", ret);
		goto out;
	}
	if (auth_a_len != auth_b_len || memcmp(auth_a, auth_b, auth_a_len)) {
		fprintf(stderr, "mls-hello: the epoch authenticators differ\n");
		ret = 1;
		goto out;
	}
	printf("both:  same epoch_authenticator\n");

	/* Signature keys; each member knows the other's public key. */
	ret = mls_sig_key_generate(suite, &alice.key);
	if (!ret)
		ret = mls_sig_key_generate(suite, &bob.key);
	if (!ret)
		ret = public_of(alice.key, suite, &roster.pub[0]);
	if (!ret)
		ret = public_of(bob.key, suite, &roster.pub[1]);
	if (ret) {
		ret = fail("keys", ret);
		goto out;
	}

	ret = say(&alice, &bob, &roster, "hello bob");
	if (!ret)
		ret = say(&bob, &alice, &roster, "hello alice");
out:
	mls_sig_key_free(alice.key);
	mls_sig_key_free(bob.key);
	mls_sig_key_free(roster.pub[0]);
	mls_sig_key_free(roster.pub[1]);
	if (alice.gfd >= 0)
		close(alice.gfd);
	if (bob.gfd >= 0)
		close(bob.gfd);
	close(ctl);
	return ret;
}
