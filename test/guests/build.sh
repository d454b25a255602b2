#!/usr/bin/env bash
# Builds the test guests listed in guests.json into test/guests/out/<name>.elf with the system C
# compiler, linking each with runtime/ (PVH entry, serial, exit, traps). Incremental: objects and
# images are rebuilt only when a source, an included header, the flags or this script changed.
# Usage: test/guests/build.sh [guest-name ...]   (no names: every guest)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
runtime="$here/runtime"
cc="${CC:-gcc}"

fail() {
	echo "build.sh: $*" >&2
	exit 1
}

command -v "$cc" >/dev/null 2>&1 \
	|| fail "C compiler '$cc' not found; install gcc (Debian/Ubuntu: apt-get install gcc) to build the test guests"
command -v node >/dev/null 2>&1 || fail "node not found; it is needed to read guests.json"

common_flags=(-g -O2 -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone -nostdlib
	-fno-stack-protector -mcmodel=small -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns
	-fcf-protection=none -Wall -Wextra -I"$runtime")
# The runtime also runs inside exception handlers, which save no SSE state: keep it integer-only.
runtime_flags=(-mgeneral-regs-only)
link_flags=(-nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$runtime/guest.ld")

mkdir -p "$out/obj"
# Test processes may run this script concurrently; serialise them.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out/.lock"
	flock 9
fi

built=0
current=0

# up_to_date TARGET FLAGS DEP...: TARGET exists, was made with FLAGS and is newer than every DEP.
up_to_date() {
	local target="$1" flags="$2" dep
	shift 2
	[[ -f "$target" && -f "$target.flags" ]] || return 1
	[[ "$(cat "$target.flags")" == "$flags" ]] || return 1
	for dep in "$@" "$here/build.sh"; do
		[[ -e "$dep" && ! "$dep" -nt "$target" ]] || return 1
	done
}

# Header dependencies recorded by gcc -MMD for OBJECT.
recorded_deps() {
	[[ -f "$1.d" ]] && sed -e 's/^[^:]*://' -e 's/\\$//' "$1.d" | tr -s ' \n' '\n' | sed '/^$/d'
}

# compile SOURCE OBJECT FLAG...
compile() {
	local source="$1" object="$2"
	shift 2
	local flags="$*"
	local deps
	mapfile -t deps < <(recorded_deps "$object" || true)
	if up_to_date "$object" "$flags" "$source" "${deps[@]}"; then
		return
	fi
	mkdir -p "$(dirname "$object")"
	echo "  CC  ${source#"$here"/}"
	"$cc" "$@" -MMD -MT "$object" -MF "$object.d" -c "$source" -o "$object.tmp" \
		|| fail "compiling ${source#"$here"/} failed"
	mv "$object.tmp" "$object"
	echo "$flags" >"$object.flags"
}

# link IMAGE OBJECT...
link() {
	local image="$1"
	shift
	local flags="${link_flags[*]}"
	if up_to_date "$image" "$flags" "$@" "$runtime/guest.ld"; then
		current=$((current + 1))
		return
	fi
	echo "  LD  ${image#"$here"/}"
	"$cc" "${link_flags[@]}" -o "$image.tmp" "$@" || fail "linking ${image#"$here"/} failed"
	mv "$image.tmp" "$image"
	echo "$flags" >"$image.flags"
	built=$((built + 1))
}

runtime_objects=()
for source in "$runtime"/*.c "$runtime"/*.S; do
	object="$out/obj/runtime/$(basename "$source").o"
	compile "$source" "$object" "${common_flags[@]}" "${runtime_flags[@]}"
	runtime_objects+=("$object")
done

# One line per guest: name|-D flags and extra compiler flags|sources (relative to test/guests).
manifest_lines="$(node -e '
	const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	for (const g of m.guests) {
		const defines = Object.entries(g.defines ?? {}).map(([k, v]) => `-D${k}=${v}`);
		console.log([g.name, [...defines, ...(g.cflags ?? [])].join(" "), g.sources.join(" ")].join("|"));
	}' "$here/guests.json")" || fail "cannot read guests.json"

wanted=" $* "
found=0
while IFS='|' read -r name defines sources; do
	[[ $# -eq 0 || "$wanted" == *" $name "* ]] || continue
	found=$((found + 1))
	objects=()
	for source in $sources; do
		[[ -f "$here/$source" ]] || fail "guest '$name': source $source does not exist"
		object="$out/obj/$name/${source//\//_}.o"
		# shellcheck disable=SC2086 # defines is a space-separated list of -D and compiler flags
		compile "$here/$source" "$object" "${common_flags[@]}" $defines -I"$here/$(dirname "$source")"
		objects+=("$object")
	done
	link "$out/$name.elf" "${runtime_objects[@]}" "${objects[@]}"
done <<<"$manifest_lines"

[[ $# -eq 0 || $found -eq $# ]] || fail "unknown guest name in: $* (see guests.json)"
echo "guests: $built linked, $current up to date, in ${out#"$here"/}/"
