// Command cluster-probe is the one binary inside the images that hack/cluster.sh builds
// itself: the pod sandbox ("pause") image and a small test image for the smoke checks.
//
// No registry is reachable from this machine, so every image the cluster runs is built
// locally. A static Go binary needs no libc in the image and, unlike a static busybox wget,
// runs inside these containers; its HTTPS client verifies the API server's certificate
// against the mounted service-account CA, which is exactly what the smoke check must prove.
//
//	cluster-probe pause                  sleep until SIGTERM/SIGINT, reaping children
//	cluster-probe serve [-port N]        answer 200 "ok" on every path (default $HTTP_PORT or 8080)
//	cluster-probe whoami [-expect USER] [-wait D]
//	                                     ask the API server who the mounted token belongs to
//	cluster-probe get [-wait D] URL      GET a URL; exit 0 on a 2xx answer
//	cluster-probe sleep D                sleep for the duration D, then exit 0
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cluster-probe pause|serve|whoami|get|sleep [args]")
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "pause":
		pause()
	case "serve":
		err = serve(args)
	case "whoami":
		err = whoami(args)
	case "get":
		err = get(args)
	case "sleep":
		err = sleep(args)
	default:
		fmt.Fprintf(os.Stderr, "cluster-probe: unknown command %q\n", cmd)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cluster-probe %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// pause is the sandbox's process: it holds the pod's namespaces open. As PID 1 of a shared
// process namespace it must also reap orphans, or they would stay zombies.
func pause() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			return
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	port := fs.String("port", envOr("HTTP_PORT", "8080"), "TCP port")
	_ = fs.Parse(args)
	srv := &http.Server{
		Addr:              ":" + *port,
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "ok\n")
		}),
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("serving on :%s\n", *port)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// whoami posts a SelfSubjectReview, which every authenticated identity may create, so the
// answer proves the token was accepted without needing any RBAC grant.
func whoami(args []string) error {
	fs := flag.NewFlagSet("whoami", flag.ExitOnError)
	expect := fs.String("expect", "", "fail unless the username equals this")
	wait := fs.Duration("wait", 0, "keep retrying for this long")
	_ = fs.Parse(args)

	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return errors.New("KUBERNETES_SERVICE_HOST/PORT not set: not running in a pod")
	}
	token, err := os.ReadFile(serviceAccountDir + "/token")
	if err != nil {
		return err
	}
	ca, err := os.ReadFile(serviceAccountDir + "/ca.crt")
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return errors.New("no certificate in " + serviceAccountDir + "/ca.crt")
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
	}
	url := "https://" + net.JoinHostPort(host, port) + "/apis/authentication.k8s.io/v1/selfsubjectreviews"
	body := `{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`

	return retry(*wait, func() error {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d: %s", url, resp.StatusCode, strings.TrimSpace(string(raw)))
		}
		var review struct {
			Status struct {
				UserInfo struct {
					Username string `json:"username"`
				} `json:"userInfo"`
			} `json:"status"`
		}
		if err := json.Unmarshal(raw, &review); err != nil {
			return fmt.Errorf("%s: %v", url, err)
		}
		user := review.Status.UserInfo.Username
		if *expect != "" && user != *expect {
			return fmt.Errorf("authenticated as %q, expected %q", user, *expect)
		}
		fmt.Printf("authenticated as %s via %s (TLS verified against the mounted CA)\n", user, url)
		return nil
	})
}

func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	wait := fs.Duration("wait", 0, "keep retrying for this long")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("usage: get [-wait D] URL")
	}
	url := fs.Arg(0)
	client := &http.Client{Timeout: 10 * time.Second}
	return retry(*wait, func() error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
		}
		fmt.Printf("%s: HTTP %d: %s\n", url, resp.StatusCode, strings.TrimSpace(string(raw)))
		return nil
	})
}

func sleep(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		return err
	}
	time.Sleep(d)
	return nil
}

// retry runs attempt until it succeeds or the wait is over, printing each failure so a
// pod's log shows why it took long.
func retry(wait time.Duration, attempt func() error) error {
	deadline := time.Now().Add(wait)
	for {
		err := attempt()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		fmt.Fprintf(os.Stderr, "retrying: %v\n", err)
		time.Sleep(time.Second)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
