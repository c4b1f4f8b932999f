// Command promql-metrics lists the metric names that PromQL expressions read.
//
// It exists for our Java tests, which check that every metric used by the
// Grafana dashboard and the Prometheus alert rules is one the trainer or the
// operator actually exports. Finding metric names in PromQL with regular
// expressions is unreliable (functions, label names, keywords, `on(...)`,
// `{__name__="x"}`), so this uses Prometheus' own parser instead.
//
// Input (stdin): a JSON array of PromQL expression strings. Callers substitute
// Grafana variables ($namespace, $__rate_interval, ...) first and pass no
// non-PromQL (such as label_values(...)).
//
// Output (stdout): {"metrics": [...], "errors": [{"expr": ..., "error": ...}]},
// where metrics are the sorted unique names of all vector and range
// selectors, written as `name{...}` or `{__name__="name"}`, of the expressions
// that parsed. Parse errors are reported, not fatal: the exit status is 0
// unless stdin is not a JSON array of strings (then 2).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type parseError struct {
	Expr  string `json:"expr"`
	Error string `json:"error"`
}

type result struct {
	Metrics []string     `json:"metrics"`
	Errors  []parseError `json:"errors"`
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	var exprs []string
	if err == nil && !bytes.HasPrefix(bytes.TrimSpace(in), []byte("[")) {
		err = fmt.Errorf("input is not a JSON array")
	}
	if err == nil {
		err = json.Unmarshal(in, &exprs)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "promql-metrics: stdin must be a JSON array of PromQL strings: %v\n", err)
		os.Exit(2)
	}

	// Default options: accept exactly what a stock Prometheus server accepts.
	p := parser.NewParser(parser.Options{})
	res := result{Metrics: []string{}, Errors: []parseError{}}
	for _, e := range exprs {
		expr, err := p.ParseExpr(e)
		if err != nil {
			res.Errors = append(res.Errors, parseError{Expr: e, Error: err.Error()})
			continue
		}
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			if vs, ok := n.(*parser.VectorSelector); ok {
				if name := metricName(vs); name != "" {
					res.Metrics = append(res.Metrics, name)
				}
			}
			return nil
		})
	}
	slices.Sort(res.Metrics)
	res.Metrics = slices.Compact(res.Metrics)

	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		fmt.Fprintf(os.Stderr, "promql-metrics: %v\n", err)
		os.Exit(1)
	}
}

// metricName is the selector's metric name, or "" when it selects by regex
// or by labels only.
func metricName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}
