// Command cosigcheck makes and checks C2SP tlog-cosignature/v1 (Ed25519)
// cosignatures with Go's golang.org/x/mod/sumdb/note and crypto/ed25519,
// sharing no code with Cunzheng, so that the two can be checked against
// each other.
//
// The cosignature format is written here from the spec
// (https://c2sp.org/tlog-cosignature): key ID = SHA-256(name || "\n" ||
// 0x04 || public key)[:4]; signature = 8-byte big-endian timestamp ||
// Ed25519 signature over "cosignature/v1\ntime <T>\n" || note text. The
// note parsing, the signature line encoding and the handling of unknown
// keys are Go's note package, the one Go's checksum database relies on.
//
// Usage:
//
//	cosigcheck vkey -name NAME -seed HEX
//	cosigcheck sign -name NAME -seed HEX -time T < note-text
//	cosigcheck verify -vkey VKEY < signed-note
//
// vkey prints the witness's verifier key; sign prints the note text signed
// with one cosignature made at POSIX time T; verify opens a signed note with
// the witness's key (other signatures are ignored) and prints
// {"name": ..., "time": T}. Any failure is printed to standard error with
// exit status 1.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o cosigcheck .
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

const algCosignatureV1 = 0x04

type cosigner struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	time uint64
}

func keyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func message(t uint64, text []byte) []byte {
	return append([]byte("cosignature/v1\ntime "+strconv.FormatUint(t, 10)+"\n"), text...)
}

func (c *cosigner) Name() string    { return c.name }
func (c *cosigner) KeyHash() uint32 { return c.hash }

func (c *cosigner) Sign(msg []byte) ([]byte, error) {
	sig := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(sig, c.time)
	return append(sig, ed25519.Sign(c.priv, message(c.time, msg))...), nil
}

func (c *cosigner) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > math.MaxInt64 {
		return false
	}
	return ed25519.Verify(c.pub, message(t, msg), sig[8:])
}

func (c *cosigner) vkey() string {
	key := append([]byte{algCosignatureV1}, c.pub...)
	return fmt.Sprintf("%s+%08x+%s", c.name, c.hash, base64.StdEncoding.EncodeToString(key))
}

func fromSeed(name, seedHex string) (*cosigner, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("-seed must be 64 hex digits")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	return &cosigner{name: name, hash: keyHash(name, append([]byte{algCosignatureV1}, pub...)), pub: pub, priv: priv}, nil
}

func fromVkey(vkey string) (*cosigner, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, errors.New("malformed verifier key")
	}
	hash, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, errors.New("malformed key ID")
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != algCosignatureV1 {
		return nil, errors.New("not a cosignature/v1 Ed25519 key")
	}
	if keyHash(parts[0], key) != uint32(hash) {
		return nil, errors.New("key ID does not match the key")
	}
	return &cosigner{name: parts[0], hash: uint32(hash), pub: ed25519.PublicKey(key[1:])}, nil
}

func run(args []string) (string, error) {
	if len(args) < 1 {
		return "", errors.New("usage: cosigcheck vkey|sign|verify [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	name := fs.String("name", "", "witness name")
	seed := fs.String("seed", "", "Ed25519 seed in hex")
	at := fs.Uint64("time", 0, "POSIX time of the cosignature")
	vkey := fs.String("vkey", "", "witness verifier key")
	if err := fs.Parse(args[1:]); err != nil {
		return "", err
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		return "", err
	}
	switch args[0] {
	case "vkey":
		c, err := fromSeed(*name, *seed)
		if err != nil {
			return "", err
		}
		return c.vkey() + "\n", nil
	case "sign":
		c, err := fromSeed(*name, *seed)
		if err != nil {
			return "", err
		}
		c.time = *at
		signed, err := note.Sign(&note.Note{Text: string(input)}, c)
		return string(signed), err
	case "verify":
		c, err := fromVkey(*vkey)
		if err != nil {
			return "", err
		}
		n, err := note.Open(input, note.VerifierList(c))
		if err != nil {
			return "", err
		}
		raw, err := base64.StdEncoding.DecodeString(n.Sigs[0].Base64)
		if err != nil || len(raw) < 12 {
			return "", errors.New("malformed cosignature")
		}
		out, err := json.Marshal(map[string]any{"name": n.Sigs[0].Name, "time": binary.BigEndian.Uint64(raw[4:12])})
		return string(out) + "\n", err
	}
	return "", fmt.Errorf("unknown command %q", args[0])
}

func main() {
	out, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "cosigcheck:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}
