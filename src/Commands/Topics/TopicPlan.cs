namespace Sieve.Commands.TopicProvisioning;

/// <summary>One topic as <c>sieve topics provision</c> means it to be.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Partitions">Partitions to create it with. An existing topic's count is reported when it differs, never changed.</param>
/// <param name="ReplicationFactor">Replicas per partition.</param>
/// <param name="Configs">Topic configs, sorted by name; set on creation and on every later run.</param>
/// <param name="Why">One line: why these configs.</param>
internal sealed record TopicPlan(string Name, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string> Configs, string Why)
{
    /// <summary>The value of config <paramref name="name"/>, or null when the plan leaves it to the broker.</summary>
    public string? Config(string name) => Configs.TryGetValue(name, out string? value) ? value : null;
}
