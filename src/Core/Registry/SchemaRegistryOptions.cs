using Confluent.SchemaRegistry;

namespace Sieve.Core.Registry;

/// <summary>
/// Where Sieve's Confluent Schema Registry is (section <c>SchemaRegistry</c>). With no <see cref="Url"/>, services
/// write and read Avro single-object encoding only, as without a registry.
/// </summary>
public sealed class SchemaRegistryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "SchemaRegistry";

    /// <summary><c>SchemaRegistry:Url</c>: one URL or a comma-separated list.</summary>
    public string? Url { get; set; }

    /// <summary><c>SchemaRegistry:BasicAuthUserInfo</c>: <c>user:password</c> for HTTP basic authentication.</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary><c>SchemaRegistry:SslCaLocation</c>: a PEM file of CA certificates to trust.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary><c>SchemaRegistry:SslKeystoreLocation</c>: a PKCS#12 client certificate, for mutual TLS.</summary>
    public string? SslKeystoreLocation { get; set; }

    /// <summary><c>SchemaRegistry:SslKeystorePassword</c>.</summary>
    public string? SslKeystorePassword { get; set; }

    /// <summary><c>SchemaRegistry:EnableSslCertificateVerification</c> (default true).</summary>
    public bool EnableSslCertificateVerification { get; set; } = true;

    /// <summary><c>SchemaRegistry:RequestTimeoutMs</c>.</summary>
    public int RequestTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// <c>SchemaRegistry:MissingIdGraceSeconds</c>: how long a schema id the registry says it does not have is asked
    /// for again (the batch held) before records naming it are quarantined as <c>unregistered-schema-id</c>.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 3600)]
    public int MissingIdGraceSeconds { get; set; } = 5;

    /// <summary>True when <see cref="Url"/> is set.</summary>
    public bool IsSet => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The Confluent client's configuration for these settings.</summary>
    public SchemaRegistryConfig ClientConfig()
    {
        var config = new SchemaRegistryConfig
        {
            Url = Url,
            RequestTimeoutMs = RequestTimeoutMs,
            EnableSslCertificateVerification = EnableSslCertificateVerification,
        };
        if (!string.IsNullOrWhiteSpace(BasicAuthUserInfo))
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = BasicAuthUserInfo;
        }

        if (!string.IsNullOrWhiteSpace(SslCaLocation))
        {
            config.SslCaLocation = SslCaLocation;
        }

        if (!string.IsNullOrWhiteSpace(SslKeystoreLocation))
        {
            config.SslKeystoreLocation = SslKeystoreLocation;
            config.SslKeystorePassword = SslKeystorePassword;
        }

        return config;
    }
}
