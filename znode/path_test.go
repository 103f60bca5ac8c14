package znode

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cases follow ZooKeeper's PathUtils.validatePath and PathUtilsTest.
func TestValidatePath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"/", true},
		{"/a", true},
		{"/a/b/c", true},
		{"/.a", true},
		{"/a.", true},
		{"/..a", true},
		{"/a..", true},
		{"/...", true},
		{"/a/.../b", true},
		{"/zookeeper", true},
		{"/ü", true},        // U+00FC
		{"/日本", true},       // BMP, outside the refused ranges
		{"/\u00a0", true},   // U+00A0 follows the C1 controls
		{"/\uf900", true},   // U+F900 follows the private-use area
		{"/\uffef", true},   // just below U+FFF0
		{"/a b", true},      // space is allowed
		{"/a\u0020b", true}, // so is U+0020
		{"", false},
		{"a", false},
		{"a/b", false},
		{"//", false},
		{"/a/", false},
		{"/a//b", false},
		{"/.", false},
		{"/..", false},
		{"/a/.", false},
		{"/a/..", false},
		{"/a/./b", false},
		{"/a/../b", false},
		{"/./a", false},
		{"/a\x00b", false},
		{"/a\x01", false},
		{"/a\x1f", false},
		{"/a\x7f", false},
		{"/a\u0080", false},
		{"/a\u009f", false},
		{"/a\ud7ff", true}, // below the surrogates
		{"/a\ue000", false},
		{"/a\uf8ff", false},
		{"/a\ufff0", false},
		{"/a\uffff", false},
		{"/a\U0001F600", false}, // a surrogate pair in Java
		{"/a\xff", false},       // not UTF-8: U+FFFD in Java
		{"/a\xed\xa0\x80", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.path), func(t *testing.T) {
			err := ValidatePath(tt.path)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadArguments)
			assert.Equal(t, ErrBadArguments, CodeOf(err))
		})
	}
}

func TestValidateSequentialPath(t *testing.T) {
	// A sequential create's path is checked with a digit appended.
	for path, ok := range map[string]bool{"/a/": true, "/": true, "/.": true, "/a//": false, "": false, "/a/..": true} {
		assert.Equal(t, ok, validSequentialPath(path) == nil, path)
	}
}

func TestSequenceSuffixMatchesJavaFormat(t *testing.T) {
	// Java's %010d and Go's agree, negative numbers included.
	for _, n := range []int32{0, 1, 9, 10, 12345, 999999999, 1000000000, math.MaxInt32, -1, -5, -123456789, -999999999, -1000000000, math.MinInt32} {
		assert.Equal(t, fmt.Sprintf("%010d", n), sequenceSuffix(n), n)
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct {
		path, parent, name string
		ok                 bool
	}{
		{"/a", "/", "a", true},
		{"/a/b", "/a", "b", true},
		{"/a/", "/a", "", true},
		{"/", "", "", false},
		{"a", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		parent, name, ok := splitPath(tt.path)
		assert.Equal(t, tt.ok, ok, tt.path)
		assert.Equal(t, tt.parent, parent, tt.path)
		assert.Equal(t, tt.name, name, tt.path)
		if ok {
			assert.Equal(t, tt.path, joinPath(parent, name))
		}
	}
}

func TestBadPathIsAnErrorValue(t *testing.T) {
	err := ValidatePath("/a//b")
	assert.True(t, errors.Is(err, ErrBadArguments))
	assert.Contains(t, err.Error(), "empty component")
}
