import CertCore

/// The batch/v1 CronJob that runs `kubectl-certs renew -A` on the schedule, as a locked-down pod.
extension RenewalInstallation {
    /// A run the controller could not start on time (controller down, cluster busy) still
    /// starts within this long; later than that it waits for the next slot.
    static let startingDeadlineSeconds = 3600
    /// A run still going after this long is stopped (SIGTERM: it removes the DNS records it
    /// published, then exits); the next slot tries again.
    static let activeDeadlineSeconds = 3 * 3600
    /// New pods for a failed run before the Job counts as failed.
    static let backoffLimit = 2
    /// Time between SIGTERM and SIGKILL: enough to remove published records.
    static let terminationGracePeriodSeconds = 60

    /// The command line after the image's entrypoint (`kubectl-certs`).
    var renewCommand: [String] {
        ["renew", "-A"] + (shards.map { ["--shards", String($0)] } ?? []) + renewArguments
    }

    var cronJob: KubernetesObject {
        var object = labelled(KubernetesObject(.cronJobs, name: Self.name, namespace: namespace))
        var jobSpec: JSONValue = [
            "backoffLimit": .number(Double(Self.backoffLimit)),
            "activeDeadlineSeconds": .number(Double(Self.activeDeadlineSeconds)),
            "template": ["metadata": ["labels": labelValues], "spec": podSpec],
        ]
        if let shards {
            // Each pod gets JOB_COMPLETION_INDEX; renew --shards N takes the share it names.
            jobSpec["completionMode"] = "Indexed"
            jobSpec["completions"] = .number(Double(shards))
            jobSpec["parallelism"] = .number(Double(shards))
        }
        object[["spec"]] = [
            "schedule": .string(schedule.description),
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": .number(Double(Self.startingDeadlineSeconds)),
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": ["metadata": ["labels": labelValues], "spec": jobSpec],
        ]
        return object
    }

    private var labelValues: JSONValue {
        .object(labels.mapValues(JSONValue.string))
    }

    private var podSpec: JSONValue {
        var container: JSONValue = [
            "name": "renew",
            "image": .string(image),
            "imagePullPolicy": "IfNotPresent",
            "args": .array(renewCommand.map(JSONValue.string)),
            "resources": [
                "requests": ["cpu": "50m", "memory": "64Mi"],
                "limits": ["memory": "256Mi"],
            ],
            "securityContext": [
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "capabilities": ["drop": ["ALL"]],
            ],
            // `kubectl describe pod` shows the last lines of a failed run.
            "terminationMessagePolicy": "FallbackToLogsOnError",
        ]
        if !credentialSecrets.isEmpty {
            container["envFrom"] = .array(credentialSecrets.map { ["secretRef": ["name": .string($0)]] })
        }
        return [
            "serviceAccountName": .string(Self.name),
            "automountServiceAccountToken": true,
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": .number(Double(Self.terminationGracePeriodSeconds)),
            "securityContext": [
                "runAsNonRoot": true,
                "runAsUser": .number(Double(Self.runAsUser)),
                "runAsGroup": .number(Double(Self.runAsUser)),
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "containers": [container],
        ]
    }
}
