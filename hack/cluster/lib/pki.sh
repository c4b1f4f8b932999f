# shellcheck shell=bash
# Certificates and kubeconfigs of the local cluster, made with openssl. Sourced by
# hack/cluster.sh, which sets PKI, KUBECONFIGS, NODE_NAME, NODE_IP, API_SERVICE_IP, API_URL.
#
# One CA signs everything; ECDSA P-256 keys because they are generated instantly (RSA keys
# would add seconds to every `up` on a 2-core machine) and every component accepts them.

pki_key() { # FILE
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 0600 "$1"
}

pki_ca() {
  pki_key "$PKI/ca.key"
  openssl req -x509 -new -sha256 -days 3650 -key "$PKI/ca.key" -subj "/CN=cospress-cluster-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/ca.crt" 2>/dev/null
}

# pki_cert NAME SUBJECT USAGE [SAN]: a key and a CA-signed certificate for one component.
# USAGE is clientAuth, serverAuth or both; the subject's O= is the group RBAC sees.
pki_cert() {
  local name="$1" subject="$2" usage="$3" san="${4:-}" ext="$PKI/$1.ext"
  pki_key "$PKI/$name.key"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -z "$san" ]] || echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -sha256 -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 365 -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

# kubeconfig NAME CERT: a kubeconfig for the client certificate CERT (a pki_cert name).
kubeconfig() {
  local file="$KUBECONFIGS/$1.kubeconfig" cert="$2"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cospress-local
  cluster:
    server: $API_URL
    certificate-authority: $PKI/ca.crt
users:
- name: $1
  user:
    client-certificate: $PKI/$cert.crt
    client-key: $PKI/$cert.key
contexts:
- name: cospress-local
  context:
    cluster: cospress-local
    user: $1
current-context: cospress-local
EOF
  chmod 0600 "$file"
}

pki_all() {
  mkdir -p "$PKI" "$KUBECONFIGS"
  chmod 0700 "$PKI"
  pki_ca
  # The API server is reached at the bridge address (host, kubelet, controllers) and at the
  # `kubernetes` Service ClusterIP (pods), and by the Service's DNS names.
  pki_cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:$NODE_IP,IP:$API_SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # The API server calls the kubelet (logs, exec) with this; system:masters may do so.
  pki_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  # The kubelet's serving certificate, verified by the API server (--kubelet-certificate-authority).
  pki_cert kubelet-server "/CN=$NODE_NAME" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"
  # The names RBAC's bootstrap policy and the Node authorizer expect.
  pki_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  pki_cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  pki_cert scheduler "/CN=system:kube-scheduler" clientAuth
  pki_cert kube-proxy "/CN=system:kube-proxy" clientAuth
  # KWOK plays whole nodes (status, leases, pods on them): test infrastructure, full rights.
  pki_cert kwok "/O=system:masters/CN=cospress:kwok" clientAuth
  pki_cert admin "/O=system:masters/CN=cospress-admin" clientAuth
  # Service-account tokens are signed with this key and verified with its public half.
  pki_key "$PKI/sa.key"
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

  kubeconfig admin admin
  kubeconfig controller-manager controller-manager
  kubeconfig scheduler scheduler
  kubeconfig kubelet kubelet
  kubeconfig kube-proxy kube-proxy
  kubeconfig kwok kwok
}
