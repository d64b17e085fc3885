-- One database per service (compose only; in Kubernetes CloudNativePG creates them).
CREATE DATABASE identity;
CREATE DATABASE licensing;
CREATE DATABASE downloads;
CREATE DATABASE cases;
CREATE DATABASE notifier;
