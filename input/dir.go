package input

import (
	"bufio"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// openDir reads every file under a folder, in path order, as one
// recording: the layout `aws s3 sync` gives a Firehose destination's
// objects (PREFIX/yyyy/MM/dd/HH/NAME-...), whose names sort by time. Each
// file may be gzip-compressed on its own; hidden files are skipped.
func openDir(dir string, o Options) (Reader, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	mr := &multiFile{files: files}
	r, err := NewReader(mr, dir, o)
	if err != nil {
		mr.Close()
		return nil, err
	}
	r.(*reader).closer = mr
	return r, nil
}

// multiFile reads files one after another, each gunzipped if it is gzip,
// with a newline between them so one file's last record never runs into
// the next file's first.
type multiFile struct {
	files []string
	cur   io.Reader
	f     *os.File
	sep   bool
}

func (m *multiFile) Read(p []byte) (int, error) {
	for {
		if m.sep {
			m.sep = false
			p[0] = '\n'
			return 1, nil
		}
		if m.cur == nil {
			if len(m.files) == 0 {
				return 0, io.EOF
			}
			f, err := os.Open(m.files[0])
			if err != nil {
				return 0, err
			}
			m.files = m.files[1:]
			m.f = f
			br := bufio.NewReader(f)
			m.cur = br
			if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
				gz, err := gzip.NewReader(br)
				if err != nil {
					return 0, err
				}
				m.cur = gz
			}
		}
		n, err := m.cur.Read(p)
		if err == io.EOF {
			m.f.Close()
			m.cur, m.f, m.sep = nil, nil, true
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (m *multiFile) Close() error {
	if m.f != nil {
		return m.f.Close()
	}
	return nil
}
