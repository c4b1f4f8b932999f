module cospress.local/cluster-probe

go 1.24
