// Command yaml_oracle converts YAML documents to JSON the way kubectl reads a
// kubeconfig: with sigs.k8s.io/yaml's YAMLToJSON (go-yaml v2 underneath).
//
// It reads one JSON array of strings on stdin and writes one JSON array to
// stdout, with {"json": <value>} or {"error": "<message>"} for each document,
// so one process converts thousands of documents.
//
// With the argument "emit" it goes the other way, as kubectl writes a
// kubeconfig: each string is JSON, and the answer is {"yaml": "<text>"} from
// sigs.k8s.io/yaml's JSONToYAML (go-yaml v2's Marshal).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

type result struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	YAML  *string         `json:"yaml,omitempty"`
	Error string          `json:"error,omitempty"`
}

func emit(doc string) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r = result{Error: fmt.Sprintf("panic: %v", p)}
		}
	}()
	out, err := yaml.JSONToYAML([]byte(doc))
	if err != nil {
		return result{Error: err.Error()}
	}
	text := string(out)
	return result{YAML: &text}
}

func convert(doc string) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r = result{Error: fmt.Sprintf("panic: %v", p)}
		}
	}()
	out, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{JSON: out}
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "yaml_oracle: reading stdin:", err)
		os.Exit(1)
	}
	var docs []string
	if err := json.Unmarshal(in, &docs); err != nil {
		fmt.Fprintln(os.Stderr, "yaml_oracle: stdin must be a JSON array of strings:", err)
		os.Exit(1)
	}
	fn := convert
	if len(os.Args) > 1 && os.Args[1] == "emit" {
		fn = emit
	}
	results := make([]result, len(docs))
	for i, doc := range docs {
		results[i] = fn(doc)
	}
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "yaml_oracle: writing stdout:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		os.Exit(1)
	}
}
