// Command tlogclient audits a Cunzheng log the way any tlog-tiles client
// would, using nothing of Cunzheng's: only Go's golang.org/x/mod/sumdb/note
// (signed notes) and golang.org/x/mod/sumdb/tlog (tree hashes, tiles and
// proofs), so it is an independent check that the log speaks the standard
// formats.
//
// The log is read as C2SP tlog-tiles (https://c2sp.org/tlog-tiles): a
// checkpoint (https://c2sp.org/tlog-checkpoint) in a signed note
// (https://c2sp.org/signed-note) at <url>/checkpoint, hash tiles of height 8
// at <url>/tile/<L>/<N>[.p/<W>] and entry bundles at
// <url>/tile/entries/<N>[.p/<W>]. Hash tiles are read through
// tlog.TileHashReader, which authenticates tiles against the signed root
// before it hands out a hash, and every hash is used only in a proof that is
// then checked against that root (tlog.CheckRecord, tlog.CheckTree), so no
// hash is trusted merely because the server sent it.
//
// Usage:
//
//	tlogclient audit -url URL -vkey VKEY [-save FILE]
//	tlogclient consistency -url URL -vkey VKEY -old FILE
//
// URL is the log prefix (e.g. http://127.0.0.1:8000/log) and VKEY the log's
// verifier key, <name>+<hex key id>+<base64 key>. audit opens the current
// checkpoint, checks that the tiles hash to its root and proves every entry
// of every entry bundle into it; with -save it writes the signed checkpoint
// to FILE. consistency proves that the checkpoint saved in FILE is a prefix
// of the current one. Each prints a one-line JSON summary on success; on any
// failure it prints what failed to standard error and exits 1 (2 for a usage
// error).
//
// It needs only x/mod, so it builds in GOPATH mode against Debian's
// golang-golang-x-mod-dev, with no module proxy:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o tlogclient .
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is fixed by C2SP tlog-tiles: 256 hashes per tile.
const tileHeight = 8

// maxResponse bounds a response body: a full entry bundle is at most
// 256 entries of 2+65,535 bytes.
const maxResponse = 256*(2+65535) + 1

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "audit":
		err = runAudit(os.Args[2:])
	case "consistency":
		err = runConsistency(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tlogclient %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: tlogclient audit -url URL -vkey VKEY [-save FILE]")
	fmt.Fprintln(os.Stderr, "       tlogclient consistency -url URL -vkey VKEY -old FILE")
	os.Exit(2)
}

// require exits with a usage error unless every named flag of fs is set.
func require(fs *flag.FlagSet, names ...string) {
	for _, name := range names {
		if fs.Lookup(name).Value.String() == "" {
			fmt.Fprintf(os.Stderr, "tlogclient %s: -%s is required\n", fs.Name(), name)
			fs.Usage()
			os.Exit(2)
		}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "tlogclient %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		fs.Usage()
		os.Exit(2)
	}
}

// A checkpoint is a verified C2SP checkpoint and the signed note it came in.
type checkpoint struct {
	Origin string
	Tree   tlog.Tree
	Note   []byte
}

// A remoteLog is one tlog-tiles log: where it is served and the key that signs it.
type remoteLog struct {
	url      string
	verifier note.Verifier
	tiles    *httpTiles
}

func newLog(url, vkey string) (*remoteLog, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("verifier key %q: %v", vkey, err)
	}
	url = strings.TrimSuffix(url, "/")
	client := &http.Client{Timeout: 30 * time.Second}
	return &remoteLog{url: url, verifier: v, tiles: &httpTiles{url: url, client: client, data: map[tlog.Tile][]byte{}}}, nil
}

// checkpoint returns the log's current checkpoint, verified.
func (l *remoteLog) checkpoint() (checkpoint, error) {
	msg, err := l.tiles.get("checkpoint")
	if err != nil {
		return checkpoint{}, err
	}
	return l.open(msg, l.url+"/checkpoint")
}

// open returns the checkpoint in msg after checking its signature and origin.
func (l *remoteLog) open(msg []byte, from string) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(l.verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint from %s is not signed by %s+%08x: %v",
			from, l.verifier.Name(), l.verifier.KeyHash(), err)
	}
	origin, tree, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint from %s: %v", from, err)
	}
	if origin != l.verifier.Name() {
		return checkpoint{}, fmt.Errorf("checkpoint from %s has origin %q, but the key is for %q",
			from, origin, l.verifier.Name())
	}
	return checkpoint{Origin: origin, Tree: tree, Note: msg}, nil
}

// parseCheckpoint returns the origin and tree of a C2SP checkpoint body;
// extension lines after the root are allowed and ignored.
func parseCheckpoint(text string) (string, tlog.Tree, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return "", tlog.Tree{}, errors.New("body has fewer than three lines (origin, size, root)")
	}
	origin := lines[0]
	if origin == "" {
		return "", tlog.Tree{}, errors.New("origin line is empty")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return "", tlog.Tree{}, fmt.Errorf("size line %q is not a non-negative decimal", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return "", tlog.Tree{}, fmt.Errorf("root line %q is not a base64 32-byte hash", lines[2])
	}
	tree := tlog.Tree{N: size}
	copy(tree.Hash[:], root)
	return origin, tree, nil
}

// hashes returns a reader of the hashes of tree, authenticated against its root.
func (l *remoteLog) hashes(tree tlog.Tree) tlog.HashReader {
	return tlog.TileHashReader(tree, l.tiles)
}

// auditResult is what audit prints: the checkpoint and how many entries it proved.
type auditResult struct {
	Origin       string    `json:"origin"`
	Size         int64     `json:"size"`
	Root         tlog.Hash `json:"root"`
	Verified     int64     `json:"verified"`
	TilesFetched int       `json:"tiles_fetched"`
}

func runAudit(args []string) error {
	fs := flag.NewFlagSet("audit", flag.ExitOnError)
	url := fs.String("url", "", "log prefix, e.g. http://127.0.0.1:8000/log")
	vkey := fs.String("vkey", "", "the log's verifier key")
	save := fs.String("save", "", "write the verified signed checkpoint to this file")
	fs.Parse(args)
	require(fs, "url", "vkey")
	l, err := newLog(*url, *vkey)
	if err != nil {
		return err
	}
	cp, err := l.checkpoint()
	if err != nil {
		return err
	}
	verified, err := l.audit(cp.Tree)
	if err != nil {
		return err
	}
	if *save != "" {
		if err := os.WriteFile(*save, cp.Note, 0o644); err != nil {
			return err
		}
	}
	return printJSON(auditResult{
		Origin:       cp.Origin,
		Size:         cp.Tree.N,
		Root:         cp.Tree.Hash,
		Verified:     verified,
		TilesFetched: l.tiles.fetched,
	})
}

// audit checks that the tiles hash to tree's root and that every entry in
// the entry bundles is proved into it, returning how many entries it proved.
func (l *remoteLog) audit(tree tlog.Tree) (int64, error) {
	if tree.N == 0 {
		return 0, nil
	}
	r := l.hashes(tree)
	th, err := tlog.TreeHash(tree.N, r)
	if err != nil {
		return 0, fmt.Errorf("tree hash of size %d from the hash tiles: %v", tree.N, err)
	}
	if th != tree.Hash {
		return 0, fmt.Errorf("hash tiles give root %v for size %d, but the checkpoint says %v", th, tree.N, tree.Hash)
	}
	var verified int64
	for n := int64(0); n<<tileHeight < tree.N; n++ {
		w := tree.N - n<<tileHeight
		if w > 1<<tileHeight {
			w = 1 << tileHeight
		}
		bundle := tlog.Tile{H: tileHeight, L: -1, N: n, W: int(w)}
		entries, err := l.tiles.entries(bundle)
		if err != nil {
			return verified, err
		}
		for j, entry := range entries {
			i := n<<tileHeight + int64(j)
			if err := proveEntry(tree, r, i, entry); err != nil {
				return verified, fmt.Errorf("entry %d (in %s): %v", i, c2spPath(bundle), err)
			}
			verified++
		}
	}
	return verified, nil
}

// proveEntry checks that entry is record i of tree and is a Cunzheng leaf.
func proveEntry(tree tlog.Tree, r tlog.HashReader, i int64, entry []byte) error {
	h := tlog.RecordHash(entry)
	p, err := tlog.ProveRecord(tree.N, i, r)
	if err != nil {
		return fmt.Errorf("inclusion proof from the hash tiles: %v", err)
	}
	// Checked even though the reader authenticates tiles: x/mod v0.7.0's
	// TileHashReader skips the parent check of some full tiles when several
	// tree-hash subtrees share a tile, so a bad tile can reach the proof.
	if err := tlog.CheckRecord(p, tree.N, tree.Hash, i, h); err != nil {
		return fmt.Errorf("the inclusion proof from the hash tiles does not lead from record hash %v "+
			"to the signed root of size %d: %v", h, tree.N, err)
	}
	var leaf struct {
		LoggedAt  *string          `json:"logged_at"`
		Statement *json.RawMessage `json:"statement"`
	}
	if err := json.Unmarshal(entry, &leaf); err != nil || leaf.LoggedAt == nil || leaf.Statement == nil {
		return errors.New("leaf is not a JSON object with logged_at and statement")
	}
	return nil
}

// consistencyResult is what consistency prints: both trees and the proof's length.
type consistencyResult struct {
	Origin       string    `json:"origin"`
	OldSize      int64     `json:"old_size"`
	OldRoot      tlog.Hash `json:"old_root"`
	Size         int64     `json:"size"`
	Root         tlog.Hash `json:"root"`
	Consistent   bool      `json:"consistent"`
	ProofLen     int       `json:"proof_len"`
	TilesFetched int       `json:"tiles_fetched"`
}

func runConsistency(args []string) error {
	fs := flag.NewFlagSet("consistency", flag.ExitOnError)
	url := fs.String("url", "", "log prefix, e.g. http://127.0.0.1:8000/log")
	vkey := fs.String("vkey", "", "the log's verifier key")
	oldFile := fs.String("old", "", "a signed checkpoint saved earlier by audit -save")
	fs.Parse(args)
	require(fs, "url", "vkey", "old")
	l, err := newLog(*url, *vkey)
	if err != nil {
		return err
	}
	msg, err := os.ReadFile(*oldFile)
	if err != nil {
		return err
	}
	old, err := l.open(msg, *oldFile)
	if err != nil {
		return err
	}
	cur, err := l.checkpoint()
	if err != nil {
		return err
	}
	proofLen, err := l.consistent(old.Tree, cur.Tree)
	if err != nil {
		return err
	}
	return printJSON(consistencyResult{
		Origin:       cur.Origin,
		OldSize:      old.Tree.N,
		OldRoot:      old.Tree.Hash,
		Size:         cur.Tree.N,
		Root:         cur.Tree.Hash,
		Consistent:   true,
		ProofLen:     proofLen,
		TilesFetched: l.tiles.fetched,
	})
}

// consistent checks that old is a prefix of cur, returning the proof's length.
func (l *remoteLog) consistent(old, cur tlog.Tree) (int, error) {
	if cur.N < old.N {
		return 0, fmt.Errorf("the log shrank from size %d to %d", old.N, cur.N)
	}
	if old.N == 0 {
		return 0, nil
	}
	p, err := tlog.ProveTree(cur.N, old.N, l.hashes(cur))
	if err != nil {
		return 0, fmt.Errorf("consistency proof %d -> %d from the hash tiles: %v", old.N, cur.N, err)
	}
	if err := tlog.CheckTree(p, cur.N, cur.Hash, old.N, old.Hash); err != nil {
		return 0, fmt.Errorf("the tree of size %d (root %v) is not a prefix of the tree of size %d (root %v): %v",
			old.N, old.Hash, cur.N, cur.Hash, err)
	}
	return len(p), nil
}

// httpTiles is a tlog.TileReader over HTTP. It keeps what it downloaded in
// memory, unverified; that grants a tile no trust, because
// tlog.TileHashReader authenticates tiles on every read and every hash ends
// up in a proof checked against the signed root.
type httpTiles struct {
	url     string
	client  *http.Client
	data    map[tlog.Tile][]byte
	fetched int
}

func (t *httpTiles) Height() int { return tileHeight }

func (t *httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		data, err := t.tile(tile)
		if err != nil {
			return nil, err
		}
		if len(data) != tile.W*tlog.HashSize {
			return nil, fmt.Errorf("%s is %d bytes, want %d", c2spPath(tile), len(data), tile.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (t *httpTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// tile returns the bytes of tile, from memory or from the server.
func (t *httpTiles) tile(tile tlog.Tile) ([]byte, error) {
	if data, ok := t.data[tile]; ok {
		return data, nil
	}
	data, err := t.get(c2spPath(tile))
	if err != nil {
		return nil, err
	}
	t.data[tile] = data
	t.fetched++
	return data, nil
}

// entries returns the entries of an entry bundle, which must hold exactly tile.W of them.
func (t *httpTiles) entries(tile tlog.Tile) ([][]byte, error) {
	data, err := t.tile(tile)
	if err != nil {
		return nil, err
	}
	var entries [][]byte
	for rest := data; len(rest) > 0; {
		if len(rest) < 2 {
			return nil, fmt.Errorf("%s ends inside a length prefix", c2spPath(tile))
		}
		n := int(rest[0])<<8 | int(rest[1])
		if len(rest) < 2+n {
			return nil, fmt.Errorf("%s is truncated: entry %d needs %d bytes", c2spPath(tile), len(entries), n)
		}
		entries = append(entries, rest[2:2+n])
		rest = rest[2+n:]
	}
	if len(entries) != tile.W {
		return nil, fmt.Errorf("%s holds %d entries, want %d", c2spPath(tile), len(entries), tile.W)
	}
	return entries, nil
}

// get returns the body of the log's resource at path, which must answer 200.
func (t *httpTiles) get(path string) ([]byte, error) {
	url := t.url + "/" + path
	resp, err := t.client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, bytes.TrimSpace(body[:min(len(body), 300)]))
	}
	if len(body) == maxResponse {
		return nil, fmt.Errorf("GET %s: response is larger than any tile", url)
	}
	return body, nil
}

// c2spPath returns tile's C2SP tlog-tiles path. Go's Tile.Path gives
// tile/H/L/N[.p/W] with L "data" for record tiles; C2SP fixes the height at
// 8, so it has no height element, and names record tiles "entries".
func c2spPath(tile tlog.Tile) string {
	if tile.H != tileHeight {
		panic(fmt.Sprintf("tile height %d is not the C2SP height %d", tile.H, tileHeight))
	}
	p := strings.TrimPrefix(tile.Path(), "tile/"+strconv.Itoa(tileHeight)+"/")
	if tile.L == -1 {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

func printJSON(v any) error {
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
