using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Sieve.Commands.TopicProvisioning;

/// <summary>
/// Applies a topic plan with an admin client: reads the cluster's metadata, creates the missing topics, and sets
/// the planned configs on the existing ones (IncrementalAlterConfigs, so configs the plan does not name are kept).
/// Never deletes a topic and never changes partitions. Every Kafka failure becomes one <see cref="CliException"/>
/// line naming the step and the fix.
/// </summary>
internal sealed class TopicProvisioner
{
    private readonly IAdminClient _admin;
    private readonly string _bootstrap;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a provisioner using <paramref name="admin"/>, each step bounded by <paramref name="timeout"/>.</summary>
    public TopicProvisioner(IAdminClient admin, string bootstrap, TimeSpan timeout)
    {
        _admin = admin;
        _bootstrap = bootstrap;
        _timeout = timeout;
    }

    /// <summary>Reads the cluster's brokers and topics.</summary>
    /// <exception cref="CliException">The cluster did not answer within the timeout.</exception>
    public async Task<ClusterTopics> ReadClusterAsync(CancellationToken cancellationToken)
    {
        try
        {
            // GetMetadata blocks; run it off the caller so the progress display keeps drawing.
            Metadata metadata = await Task.Run(() => _admin.GetMetadata(_timeout), cancellationToken).ConfigureAwait(false);
            return ClusterTopics.From(metadata);
        }
        catch (KafkaException e)
        {
            return ThrowHelper.Failure<ClusterTopics>(
                $"cannot read cluster metadata via {_bootstrap} within {Seconds}: {e.Error.Code}; check --bootstrap and the TLS/SASL --property settings");
        }
    }

    /// <summary>
    /// Creates the topics of <paramref name="plans"/>. Returns the names of those that turned out to exist already
    /// (created meanwhile by someone else), which the caller then updates instead.
    /// </summary>
    /// <exception cref="CliException">A topic could not be created, or the broker did not answer in time.</exception>
    public async Task<IReadOnlyList<string>> CreateAsync(IReadOnlyList<TopicPlan> plans, CancellationToken cancellationToken)
    {
        if (plans.Count == 0)
        {
            return [];
        }

        var specifications = new List<TopicSpecification>(plans.Count);
        foreach (TopicPlan plan in plans)
        {
            specifications.Add(new TopicSpecification
            {
                Name = plan.Name,
                NumPartitions = plan.Partitions,
                ReplicationFactor = plan.ReplicationFactor,
                Configs = new Dictionary<string, string>(plan.Configs, StringComparer.Ordinal),
            });
        }

        var options = new CreateTopicsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout };
        try
        {
            await Bounded(_admin.CreateTopicsAsync(specifications, options), "CreateTopics", cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (CreateTopicsException e)
        {
            var existing = new List<string>();
            var failed = new List<string>();
            ErrorCode first = ErrorCode.NoError;
            foreach (CreateTopicReport report in e.Results)
            {
                if (report.Error.Code == ErrorCode.TopicAlreadyExists)
                {
                    existing.Add(report.Topic);
                }
                else if (report.Error.Code != ErrorCode.NoError)
                {
                    first = first == ErrorCode.NoError ? report.Error.Code : first;
                    failed.Add($"{report.Topic}: {report.Error.Code}");
                }
            }

            if (failed.Count > 0)
            {
                ThrowHelper.Failure($"could not create {failed.Count} of {plans.Count} topics ({string.Join(", ", failed)}); {FixFor(first, "CREATE")}");
            }

            return existing;
        }
        catch (KafkaException e)
        {
            return ThrowHelper.Failure<IReadOnlyList<string>>(Unanswered("CreateTopics", e.Error.Code));
        }
    }

    /// <summary>Sets the planned configs on the topics of <paramref name="plans"/>.</summary>
    /// <exception cref="CliException">A config could not be set, or the broker did not answer in time.</exception>
    public async Task UpdateAsync(IReadOnlyList<TopicPlan> plans, CancellationToken cancellationToken)
    {
        if (plans.Count == 0)
        {
            return;
        }

        var changes = new Dictionary<ConfigResource, List<ConfigEntry>>();
        foreach (TopicPlan plan in plans)
        {
            var entries = new List<ConfigEntry>(plan.Configs.Count);
            foreach (KeyValuePair<string, string> config in plan.Configs)
            {
                entries.Add(new ConfigEntry { Name = config.Key, Value = config.Value, IncrementalOperation = AlterConfigOpType.Set });
            }

            changes[new ConfigResource { Type = ResourceType.Topic, Name = plan.Name }] = entries;
        }

        try
        {
            await Bounded(_admin.IncrementalAlterConfigsAsync(changes, new IncrementalAlterConfigsOptions { RequestTimeout = _timeout }),
                "IncrementalAlterConfigs", cancellationToken).ConfigureAwait(false);
        }
        catch (IncrementalAlterConfigsException e)
        {
            var failed = new List<string>();
            ErrorCode first = ErrorCode.NoError;
            foreach (IncrementalAlterConfigsReport report in e.Results)
            {
                if (report.Error.Code != ErrorCode.NoError)
                {
                    first = first == ErrorCode.NoError ? report.Error.Code : first;
                    failed.Add($"{report.ConfigResource.Name}: {report.Error.Code}");
                }
            }

            ThrowHelper.Failure($"could not update the configs of {failed.Count} of {plans.Count} existing topics ({string.Join(", ", failed)}); {FixFor(first, "ALTER_CONFIGS")}");
        }
        catch (KafkaException e)
        {
            ThrowHelper.Failure(Unanswered("IncrementalAlterConfigs", e.Error.Code));
        }
    }

    private string Seconds => $"{_timeout.TotalSeconds:0} s";

    // librdkafka bounds admin requests by RequestTimeout; this bound also covers a request that is never sent.
    private async Task Bounded(Task request, string api, CancellationToken cancellationToken)
    {
        try
        {
            await request.WaitAsync(_timeout + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _ = request.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            ThrowHelper.Failure(Unanswered(api, ErrorCode.Local_TimedOut));
        }
    }

    private string Unanswered(string api, ErrorCode code) =>
        $"the cluster at {_bootstrap} did not complete {api} within {Seconds} ({code}); check that it is a Kafka broker that serves {api} "
        + "(librdkafka's mock cluster does not) and that the client may reach it, or raise --timeout";

    private static string FixFor(ErrorCode code, string operation) => code switch
    {
        ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed =>
            $"grant this client's principal {operation} on the topics (or the cluster) and run again",
        ErrorCode.InvalidReplicationFactor => "give a --replication-factor no larger than the number of brokers",
        ErrorCode.PolicyViolation => "the broker's create-topic policy refused the plan; see 'sieve topics provision --dry-run'",
        ErrorCode.InvalidConfig => "the broker refused a config; see 'sieve topics provision --dry-run' for the values",
        _ => "see the broker's log for the reason and run again",
    };
}
