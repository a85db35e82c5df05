namespace Sieve.Commands.TopicProvisioning;

/// <summary>What provisioning did to a topic.</summary>
internal enum TopicAction
{
    /// <summary>The topic did not exist and was created with the plan's partitions, replicas and configs.</summary>
    Created,

    /// <summary>The topic existed; its configs were set to the plan's. Partitions and replicas were left alone.</summary>
    Updated,
}

/// <summary>One topic's result.</summary>
/// <param name="Plan">What was planned.</param>
/// <param name="Action">What was done.</param>
/// <param name="Partitions">The topic's partition count on the cluster.</param>
/// <param name="ReplicationFactor">Replicas of its first partition on the cluster.</param>
internal sealed record TopicOutcome(TopicPlan Plan, TopicAction Action, int Partitions, int ReplicationFactor)
{
    /// <summary>Empty, or what differs from the plan and was not changed (Kafka cannot remove partitions, and adding some remaps keys).</summary>
    public string Differences
    {
        get
        {
            var notes = new List<string>(2);
            if (Partitions != Plan.Partitions)
            {
                notes.Add($"has {Partitions} partitions, plan {Plan.Partitions} (not changed)");
            }

            if (ReplicationFactor != Plan.ReplicationFactor)
            {
                notes.Add($"has replication factor {ReplicationFactor}, plan {Plan.ReplicationFactor} (not changed)");
            }

            return string.Join("; ", notes);
        }
    }
}
