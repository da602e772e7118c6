package engine

import (
	"os"
	"path/filepath"
)

func isAbs(p string) bool       { return filepath.IsAbs(p) }
func join(dir, p string) string { return filepath.Join(dir, p) }
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
