// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The transcript hashes (§8.2): the two inputs are encoded with the
 * codec after the previous hash, and hashed in one go.
 */
#include <errno.h>

#include "kdf.h"
#include "transcript.h"

/* Hash(@prev || what @io wrote after it) into @out. */
static int hash_after(const struct mlsc_suite *s, struct mlsc_io *io,
		      struct mlsc_wbuf *w, uint8_t *out)
{
	int ret = mlsc_io_finish(io);

	if (!ret)
		ret = mlsc_hash(s, w->p, w->len, out);
	mlsc_wbuf_free(w);
	return ret;
}

int mlsc_transcript_confirmed(const struct mlsc_suite *s,
			      const uint8_t *interim, uint16_t wire_format,
			      const struct mlsc_framed_content *content,
			      const struct mlsc_slice *signature,
			      uint8_t *confirmed)
{
	struct mlsc_framed_content fc;
	struct mlsc_slice sig;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;

	if (!s || content->content_type != MLSC_CONTENT_COMMIT ||
	    (wire_format != MLSC_WIRE_PUBLIC_MESSAGE &&
	     wire_format != MLSC_WIRE_PRIVATE_MESSAGE))
		return -EINVAL;
	/* The codec takes non-const pointers for both directions. */
	fc = *content;
	sig = *signature;
	mlsc_io_writer(&io, &w);
	mlsc_io_fixed(&io, (uint8_t *)interim, s->nh);
	mlsc_io_u16(&io, &wire_format);
	mlsc_io_framed_content(&io, &fc);
	mlsc_io_opaque(&io, &sig);
	return hash_after(s, &io, &w, confirmed);
}

int mlsc_transcript_interim(const struct mlsc_suite *s,
			    const struct mlsc_slice *confirmed,
			    const struct mlsc_slice *confirmation_tag,
			    uint8_t *interim)
{
	struct mlsc_slice tag;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;

	if (!s || (confirmed->len && confirmed->len != s->nh))
		return -EINVAL;
	tag = *confirmation_tag;
	mlsc_io_writer(&io, &w);
	mlsc_io_fixed(&io, (uint8_t *)confirmed->p, confirmed->len);
	mlsc_io_opaque(&io, &tag);
	return hash_after(s, &io, &w, interim);
}
