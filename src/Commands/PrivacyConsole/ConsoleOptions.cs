using System.Net;
using Sieve.Contracts;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>What the privacy console serves, and from where.</summary>
internal sealed class ConsoleOptions
{
    /// <summary>How long a lookup's handle (and the identifier behind it, in memory only) lives, in minutes.</summary>
    public const int DefaultLookupMinutes = 15;

    /// <summary>The shortest sign-in token accepted.</summary>
    public const int MinTokenLength = 16;

    /// <summary>Where to listen (port 0: any free port).</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>The sign-in token.</summary>
    public required string Token { get; init; }

    /// <summary>Kafka bootstrap servers.</summary>
    public required string Bootstrap { get; init; }

    /// <summary>Extra librdkafka client properties (TLS, SASL).</summary>
    public KafkaClientProperties? Kafka { get; init; }

    /// <summary>The consent store (a StackExchange.Redis configuration string).</summary>
    public required string Redis { get; init; }

    /// <summary>The master key ring the pipeline's pseudonyms are made with.</summary>
    public required MasterKeyRing Keys { get; init; }

    /// <summary>The policy the pipeline runs.</summary>
    public required CompiledPolicy Policy { get; init; }

    /// <summary>The Sink's lake root.</summary>
    public required string Lake { get; init; }

    /// <summary>A file <c>sieve privacy --json</c> wrote; null for none.</summary>
    public string? PrivacyReport { get; init; }

    /// <summary>The audit topic.</summary>
    public string AuditTopic { get; init; } = Topics.Audit;

    /// <summary>The erasure requests (raw zone).</summary>
    public string RequestsTopic { get; init; } = Topics.ErasureRequests;

    /// <summary>The erasure receipts.</summary>
    public string ReceiptsTopic { get; init; } = Topics.ErasureReceipts;

    /// <summary>The consent changes (raw zone).</summary>
    public string ConsentTopic { get; init; } = Topics.ConsentChanges;

    /// <summary>How long reading a topic to its end may take.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a lookup's handle lives.</summary>
    public TimeSpan LookupLifetime { get; init; } = TimeSpan.FromMinutes(DefaultLookupMinutes);

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
