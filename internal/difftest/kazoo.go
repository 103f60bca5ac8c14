package difftest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// pythons are tried in order: Debian's python3 first, because
// python3-kazoo installs into its dist-packages and a python3 earlier on
// $PATH (pyenv, a virtualenv) may not see it.
var pythons = []string{"/usr/bin/python3", "python3"}

// FindKazoo returns a python3 that can import kazoo.
func FindKazoo() (string, error) {
	for _, p := range pythons {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import kazoo").Run() == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: kazoo for python3; run: %s", ErrNotInstalled, InstallHint)
}

// kazooPrelude is prepended to every kazoo scenario. It gives the script
// a started client (zk), the scenario's root (ROOT) and rec(), which
// prints one observation as a JSON line for the Recorder.
const kazooPrelude = `
import json, sys, logging
logging.disable(logging.CRITICAL)
from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, ZookeeperError
from kazoo.security import make_digest_acl, make_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE
ADDR, ROOT = sys.argv[1], sys.argv[2]

def rec(label, value=None, **kw):
    out = {"label": label}
    if value is not None:
        out["value"] = value
    out.update(kw)
    print(json.dumps(out, sort_keys=True, default=str), flush=True)

def stat(label, st):
    rec(label, stat={"czxid": st.czxid, "mzxid": st.mzxid, "pzxid": st.pzxid,
        "ctime": st.ctime, "mtime": st.mtime, "version": st.version,
        "cversion": st.cversion, "aversion": st.aversion,
        "ephemeralOwner": st.ephemeralOwner, "dataLength": st.dataLength,
        "numChildren": st.numChildren})

def err(label, fn):
    try:
        r = fn()
        rec(label, "ok")
        return r
    except ZookeeperError as e:
        rec(label, "error", error=type(e).__name__)
    except KazooException as e:
        rec(label, "error", error=type(e).__name__)

def client(**kw):
    c = KazooClient(hosts=ADDR, timeout=10, **kw)
    c.start(timeout=20)
    return c

zk = client()
`

// kazooTimeout bounds one kazoo script, so a client that hangs fails its
// scenario instead of the whole run.
const kazooTimeout = time.Minute

// kazooLine is one observation a kazoo script printed.
type kazooLine struct {
	Label string          `json:"label"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
	Stat  *struct {
		Czxid, Mzxid, Pzxid, Ctime, Mtime int64
		Version, Cversion, Aversion       int32
		EphemeralOwner                    int64
		DataLength, NumChildren           int32
	} `json:"stat"`
	Session *int64 `json:"session"`
}

// runKazoo runs script (after the prelude) with python against addr and
// returns its observations in order. Anything the script prints that is
// not an observation, and a failure exit, are errors.
func runKazoo(ctx context.Context, python, addr, root, script string) ([]kazooLine, error) {
	ctx, cancel := context.WithTimeout(ctx, kazooTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", kazooPrelude+script+"\nzk.stop()\nzk.close()\n", addr, root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("kazoo script failed: %v\n%s", err, stderr.String())
	}
	var lines []kazooLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var l kazooLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("kazoo script printed %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if strings.TrimSpace(stderr.String()) != "" {
		return lines, fmt.Errorf("kazoo script wrote to stderr:\n%s", stderr.String())
	}
	return lines, nil
}
