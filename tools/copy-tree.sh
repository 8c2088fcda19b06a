#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Copy the project's sources into DIR as a clone has them: in a git
# checkout its tracked and new (not ignored) files, as they are in the
# working tree; elsewhere every file but the ignored ones (.gitignore).
# Nothing built is copied.
#
# usage: copy-tree.sh DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dst=${1:?usage: copy-tree.sh DIR}
mkdir -p "$dst"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		(cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		rsync -a --from0 --files-from=- "$top/" "$dst/"
else
	rsync -a --exclude=.git --exclude-from="$top/.gitignore" "$top/" "$dst/"
fi
