package testrunner

import (
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// The JUnit XML report: the subset CI systems (Jenkins, GitLab, GitHub
// actions' reporters) read: one suite, one test case per case folder,
// a failure with the diff or the error.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, results []Result) error {
	suite := junitSuite{Name: "streamsql test", Tests: len(results)}
	var total time.Duration
	for _, r := range results {
		total += r.Elapsed
		tc := junitCase{Name: filepath.ToSlash(r.Case.Dir), ClassName: "streamsql", Time: seconds(r.Elapsed)}
		switch {
		case r.Err != nil:
			suite.Errors++
			tc.Error = &junitProblem{Message: "the case could not run", Text: r.Err.Error()}
		case !r.Pass:
			suite.Failures++
			tc.Failure = &junitProblem{Message: "output differs from the expected files", Text: r.Diff}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
