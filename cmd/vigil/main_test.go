package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain lets tests run the vigil command in a child process: the test
// binary re-executes itself with VIGIL_TEST_EXEC=1 and the arguments after
// "--".
func TestMain(m *testing.M) {
	if os.Getenv("VIGIL_TEST_EXEC") == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Args = append([]string{"vigil"}, args...)
		main()
		return
	}
	os.Exit(m.Run())
}

// child starts `vigil args…` as a separate process and returns it with the
// address it listens on (for serve).
func child(t *testing.T, extraEnv []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), "VIGIL_TEST_EXEC=1"), extraEnv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "vigil: listening on http://"); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, a
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return nil, ""
}

// runCmd runs a subcommand in-process and returns its stdout.
func runCmd(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := run(context.Background(), e, args)
	if err != nil {
		t.Logf("stderr: %s", errb.String())
	}
	return out.String(), err
}
