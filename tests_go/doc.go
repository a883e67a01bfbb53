// Package testsgo holds theanogo's cross-package tests: generated code,
// compiled and run, checked against the Go evaluator.
package testsgo
