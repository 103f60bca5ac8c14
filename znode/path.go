package znode

import (
	"fmt"
	"unicode/utf8"
)

// ValidatePath checks a znode path exactly as ZooKeeper's
// PathUtils.validatePath does, and returns an error wrapping
// ErrBadArguments that says why a path is refused:
//   - it must start with "/" and, unless it is "/", not end with one;
//   - no component may be empty, "." or "..";
//   - no character may be NUL, a control character (U+0001–U+001F,
//     U+007F–U+009F), a surrogate or private-use code unit
//     (U+D800–U+F8FF) or U+FFF0–U+FFFF.
//
// ZooKeeper checks Java's UTF-16 code units, so every character outside the
// Basic Multilingual Plane (a surrogate pair in Java) is refused, and so is
// every byte sequence that is not UTF-8 (Java decodes it to U+FFFD).
func ValidatePath(path string) error {
	if reason, at := pathProblem(path); reason != "" {
		if at < 0 {
			return fmt.Errorf("%w: invalid path %q: %s", ErrBadArguments, path, reason)
		}
		return fmt.Errorf("%w: invalid path %q: %s at byte %d", ErrBadArguments, path, reason, at)
	}
	return nil
}

// validSequentialPath is ZooKeeper's validatePath(path, true): a
// sequential create's path is checked with a digit appended, so "/a/" is a
// valid prefix for "/a/0000000001".
func validSequentialPath(path string) error {
	return ValidatePath(path + "1")
}

// pathProblem returns why path is invalid and the byte offset of the
// problem (-1 for the whole path), or "" if it is valid.
func pathProblem(path string) (string, int) {
	switch {
	case path == "":
		return "path must not be empty", -1
	case path[0] != '/':
		return "path must start with /", -1
	case path == "/":
		return "", 0
	case path[len(path)-1] == '/':
		return "path must not end with /", -1
	}
	for i := 1; i < len(path); {
		c := path[i]
		if c < utf8.RuneSelf {
			switch {
			case c == 0:
				return "null character", i
			case c == '/' && path[i-1] == '/':
				return "empty component", i
			case c == '.' && path[i-1] == '/':
				// A component of "." or ".." is relative.
				rest := path[i+1:]
				if rest == "" || rest[0] == '/' || (rest[0] == '.' && (len(rest) == 1 || rest[1] == '/')) {
					return "relative component", i
				}
			case c < 0x20 || c == 0x7f:
				return "invalid character", i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(path[i:])
		if r == utf8.RuneError && size <= 1 {
			return "not UTF-8", i
		}
		if invalidRune(r) {
			return "invalid character", i
		}
		i += size
	}
	return "", 0
}

// invalidRune reports the non-ASCII characters ZooKeeper refuses; runes
// above U+FFFF are surrogate pairs in Java, hence refused.
func invalidRune(r rune) bool {
	return r >= 0x7f && r <= 0x9f ||
		r >= 0xd800 && r <= 0xf8ff ||
		r >= 0xfff0
}

// sequenceSuffix formats a sequential node's suffix as Java's
// String.format("%010d", n) does: ten digits, zero padded, with a minus
// sign taking one of them for a negative (wrapped) counter.
func sequenceSuffix(n int32) string {
	var b [11]byte
	v := int64(n)
	neg := v < 0
	if neg {
		v = -v
	}
	i := len(b)
	for v > 0 || len(b)-i < 10 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if neg && len(b)-i == 9 && v == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
