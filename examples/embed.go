// Package examples bundles the news-personalization example into the
// binary, so `streamsql demo` runs a real pipeline from any folder.
package examples

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed news/app.yaml news/app.sql news/clicks.jsonl news/users.csv
var news embed.FS

// WriteNews copies the news example into dir and returns the paths of its
// application file and recording.
func WriteNews(dir string) (appFile, recording string, err error) {
	err = fs.WalkDir(news, "news", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := news.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	})
	return filepath.Join(dir, "app.yaml"), filepath.Join(dir, "clicks.jsonl"), err
}
