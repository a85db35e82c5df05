using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Schemas;
using StackExchange.Redis;

namespace Sieve.Benchmarks.Core;

/// <summary>
/// The minimizer a team writes first, for telematics events under the default policy: Apache.Avro
/// <see cref="GenericDatumReader{T}"/> decodes each message into a <see cref="GenericRecord"/>; the VIN is
/// normalized; every pseudonym is an <see cref="HMACSHA256.HashData(byte[], byte[])"/> over the normalized VIN with a
/// purpose key derived once by HKDF (the consent-index pseudonym, then one per forwarded purpose); consent is one
/// synchronous Redis <c>HGETALL</c> of the subject's hash per event; and each forwarded record is built as a
/// <see cref="GenericRecord"/> and written by a <see cref="GenericDatumWriter{T}"/> into a new byte array.
/// </summary>
/// <remarks>
/// It makes the minimizer's decisions (erased or minor: nothing; analytics needs no consent and, being anonymized,
/// leaves as a release candidate for every located event; positioning and
/// personalization need a grant effective at or before the event and not withdrawn; a purpose the event has nothing
/// for gets nothing) and writes the same records: the same key derivation, pseudonyms, generalization (time
/// buckets, geohash, rounding halves away from zero) and Avro single-object encoding, so its output is byte for byte
/// the core's. Not thread-safe.
/// </remarks>
internal sealed class StraightforwardMinimizer : IDisposable
{
    private const string Positioning = "positioning";
    private const string Personalization = "personalization";
    private const string Analytics = "analytics";
    private const string GeohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly GenericDatumReader<GenericRecord> _reader;
    private readonly SchemaInfo _positioningSchema;
    private readonly SchemaInfo _personalizationSchema;
    private readonly SchemaInfo _analyticsSchema;
    private readonly GenericDatumWriter<GenericRecord> _positioningWriter;
    private readonly GenericDatumWriter<GenericRecord> _personalizationWriter;
    private readonly GenericDatumWriter<GenericRecord> _analyticsWriter;
    private readonly SchemaInfo _candidateSchema;
    private readonly GenericDatumWriter<GenericRecord> _candidateWriter;
    private readonly EnumSchema _sourceSchema;
    private readonly string _masterKeyId;
    private readonly byte[] _masterSecret;
    private readonly byte[] _consentIndexKey;
    private readonly byte[] _positioningKey;
    private readonly byte[] _personalizationKey;
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _database;
    private readonly string _consentKeyPrefix;

    /// <summary>Connects to Redis and derives the purpose keys from the active key of <paramref name="ring"/>.</summary>
    /// <param name="ring">The master key ring (the minimizer's).</param>
    /// <param name="redisConfiguration">StackExchange.Redis configuration of the consent store.</param>
    /// <param name="consentKeyPrefix">Prefix of the subjects' consent hashes.</param>
    public StraightforwardMinimizer(MasterKeyRing ring, string redisConfiguration, string consentKeyPrefix)
    {
        RecordSchema telematics = SchemaCatalog.Default.Get("TelematicsEvent").Schema;
        _reader = new GenericDatumReader<GenericRecord>(telematics, telematics);
        _positioningSchema = SchemaCatalog.Default.Get("PositioningRecord");
        _personalizationSchema = SchemaCatalog.Default.Get("PersonalizationRecord");
        _analyticsSchema = SchemaCatalog.Default.Get("AnalyticsRecord");
        _positioningWriter = new GenericDatumWriter<GenericRecord>(_positioningSchema.Schema);
        _personalizationWriter = new GenericDatumWriter<GenericRecord>(_personalizationSchema.Schema);
        _analyticsWriter = new GenericDatumWriter<GenericRecord>(_analyticsSchema.Schema);
        _candidateSchema = SchemaCatalog.Default.Get("ReleaseCandidate");
        _candidateWriter = new GenericDatumWriter<GenericRecord>(_candidateSchema.Schema);
        _sourceSchema = (EnumSchema)_positioningSchema.Schema["source"].Schema;
        _masterKeyId = ring.Active.Id;
        _masterSecret = ring.Active.Secret.ToArray();
        _consentIndexKey = DeriveKey(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        _positioningKey = DeriveKey(Positioning, PseudonymKeyFactory.StableEpoch);
        _personalizationKey = DeriveKey(Personalization, PseudonymKeyFactory.StableEpoch);
        _redis = ConnectionMultiplexer.Connect(redisConfiguration);
        _database = _redis.GetDatabase();
        _consentKeyPrefix = consentKeyPrefix;
    }

    /// <summary>Minimizes one raw telematics message, handing each forwarded record to <paramref name="forward"/>.</summary>
    /// <param name="message">The whole message value (single-object encoding).</param>
    /// <param name="forward">Receives the purpose, the record key (the pseudonym) and the encoded record.</param>
    /// <returns>The number of records forwarded, or -1 when the message is bad.</returns>
    public int Process(byte[] message, Action<string, byte[], byte[]> forward)
    {
        if (message.Length < SingleObjectEncoding.HeaderLength || message[0] != SingleObjectEncoding.Marker0
            || message[1] != SingleObjectEncoding.Marker1
            || BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(2)) != SchemaFingerprints.TelematicsEvent)
        {
            return -1;
        }

        var input = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength, writable: false);
        GenericRecord e = _reader.Read(null!, new BinaryDecoder(input));
        if (((string)e["eventId"]).Length == 0)
        {
            return -1;
        }

        long eventTime = ToMillis((DateTime)e["eventTime"]);
        var location = e["location"] as GenericRecord;
        var status = e["status"] as GenericRecord;
        if (location is not null && !((double)location["latitude"] is >= -90 and <= 90 && (double)location["longitude"] is >= -180 and <= 180))
        {
            return -1;
        }

        byte[] vin = Encoding.UTF8.GetBytes((string)e["vin"]);
        byte[] normalized = new byte[IdentifierNormalizer.MaxNormalizedLength];
        if (IdentifierNormalizer.TryNormalize(SubjectType.Vin, vin, normalized, out int length, out _) != NormalizeStatus.Ok)
        {
            return -1;
        }

        byte[] identifier = new byte[length + 1];
        identifier[0] = (byte)SubjectType.Vin;
        normalized.AsSpan(0, length).CopyTo(identifier.AsSpan(1));

        string consentKey = Pseudonym(_consentIndexKey, identifier);
        HashEntry[] consent = _database.HashGetAll(_consentKeyPrefix + consentKey);
        bool minorOrErased = false;
        string? positioningConsent = null;
        string? personalizationConsent = null;
        foreach (HashEntry entry in consent)
        {
            string name = entry.Name!;
            if (name is "minor" or "erased")
            {
                minorOrErased = true;
            }
            else if (name == "p:" + Positioning)
            {
                positioningConsent = entry.Value;
            }
            else if (name == "p:" + Personalization)
            {
                personalizationConsent = entry.Value;
            }
        }

        if (minorOrErased)
        {
            return 0;
        }

        int forwarded = 0;
        float? speed = location?["speedKph"] as float?;
        double? odometer = status?["odometerKm"] as double?;
        float? fuel = status?["fuelLevelPct"] as float?;
        bool? engineOn = status?["engineOn"] as bool?;

        if (Granted(positioningConsent, eventTime) && location is not null)
        {
            string pseudonym = Pseudonym(_positioningKey, identifier);
            var r = new GenericRecord(_positioningSchema.Schema);
            r.Add("subject", pseudonym);
            r.Add("keyId", _masterKeyId + "/" + Positioning + "/" + PseudonymKeyFactory.StableEpoch);
            r.Add("source", new GenericEnum(_sourceSchema, "TELEMATICS"));
            r.Add("eventTime", FromMillis(eventTime));
            r.Add("latitude", location["latitude"]);
            r.Add("longitude", location["longitude"]);
            r.Add("speedKph", speed);
            r.Add("headingDeg", location["headingDeg"] as float?);
            forward(Positioning, Encoding.ASCII.GetBytes(pseudonym), Encode(_positioningWriter, _positioningSchema, r));
            forwarded++;
        }

        if (Granted(personalizationConsent, eventTime) && (location is not null || odometer.HasValue || fuel.HasValue || engineOn.HasValue))
        {
            string pseudonym = Pseudonym(_personalizationKey, identifier);
            var r = new GenericRecord(_personalizationSchema.Schema);
            r.Add("subject", pseudonym);
            r.Add("keyId", _masterKeyId + "/" + Personalization + "/" + PseudonymKeyFactory.StableEpoch);
            r.Add("source", new GenericEnum(_sourceSchema, "TELEMATICS"));
            r.Add("timeBucket", FromMillis(Floor(eventTime, 60)));
            r.Add("geohash", location is null ? null : Geohash((double)location["latitude"], (double)location["longitude"], 6));
            r.Add("odometerKm", odometer.HasValue ? Round(odometer.Value, 1000) : null);
            r.Add("fuelLevelPct", fuel.HasValue ? (float)Round(fuel.Value, 10) : null);
            r.Add("engineOn", engineOn);
            r.Add("outletId", null);
            r.Add("dwellSeconds", null);
            r.Add("interests", Array.Empty<string>());
            forward(Personalization, Encoding.ASCII.GetBytes(pseudonym), Encode(_personalizationWriter, _personalizationSchema, r));
            forwarded++;
        }

        if (location is not null)
        {
            // Analytics is anonymized: the record leaves with a placeholder subject, wrapped with its precise place and
            // time and the consent key, for the release stage.
            double latitude = (double)location["latitude"], longitude = (double)location["longitude"];
            string cell = Geohash(latitude, longitude, 5);
            DateTime bucket = FromMillis(Floor(eventTime, 15));
            var r = new GenericRecord(_analyticsSchema.Schema);
            r.Add("subject", new string('0', 32));
            r.Add("keyId", "segment");
            r.Add("source", new GenericEnum(_sourceSchema, "TELEMATICS"));
            r.Add("timeBucket", bucket);
            r.Add("geohash", cell);
            r.Add("speedKph", speed.HasValue ? (float)Round(speed.Value, 10) : null);
            r.Add("odometerKm", null);
            r.Add("fuelLevelPct", null);
            r.Add("batteryVoltage", null);
            r.Add("engineOn", engineOn);
            r.Add("outletId", null);
            r.Add("dwellSeconds", null);
            r.Add("cellVehicles", null);
            var candidate = new GenericRecord(_candidateSchema.Schema);
            candidate.Add("vehicle", consentKey);
            candidate.Add("source", new GenericEnum(_sourceSchema, "TELEMATICS"));
            candidate.Add("eventTime", FromMillis(eventTime));
            candidate.Add("latitude", latitude);
            candidate.Add("longitude", longitude);
            candidate.Add("speedKph", speed);
            candidate.Add("engineOn", engineOn);
            candidate.Add("outletId", null);
            candidate.Add("cell", cell);
            candidate.Add("timeBucket", bucket);
            candidate.Add("record", Encode(_analyticsWriter, _analyticsSchema, r));
            forward(Analytics, Encoding.ASCII.GetBytes(consentKey), Encode(_candidateWriter, _candidateSchema, candidate));
            forwarded++;
        }

        return forwarded;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _redis.Dispose();
        CryptographicOperations.ZeroMemory(_masterSecret);
    }

    /// <summary>A grant (<c>G:{effective}:{version}</c>) effective at or before the event; a withdrawal or nothing is no consent.</summary>
    private static bool Granted(string? value, long eventTime)
    {
        if (value is null || !value.StartsWith("G:", StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = value.Split(':');
        return parts.Length >= 3 && long.Parse(parts[1], CultureInfo.InvariantCulture) <= eventTime;
    }

    private static byte[] Encode(GenericDatumWriter<GenericRecord> writer, SchemaInfo schema, GenericRecord record)
    {
        using var output = new MemoryStream();
        output.WriteByte(SingleObjectEncoding.Marker0);
        output.WriteByte(SingleObjectEncoding.Marker1);
        output.Write(BitConverter.GetBytes(schema.Fingerprint));
        writer.Write(record, new BinaryEncoder(output));
        return output.ToArray();
    }

    /// <summary>base32 (lower case, no padding) of the first 20 bytes of HMAC-SHA256(key, type byte ++ normalized id).</summary>
    private static string Pseudonym(byte[] key, byte[] identifier)
    {
        byte[] mac = HMACSHA256.HashData(key, identifier);
        var text = new StringBuilder(32);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < 20; i++)
        {
            buffer = (buffer << 8) | mac[i];
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(Base32Alphabet[(buffer >> bits) & 0x1F]);
            }
        }

        return text.ToString();
    }

    private byte[] DeriveKey(string purpose, string epoch) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _masterSecret, PseudonymKeyFactory.KeyLength,
            Encoding.UTF8.GetBytes(PseudonymKeyFactory.Salt), Encoding.UTF8.GetBytes("purpose=" + purpose + ";epoch=" + epoch));

    private static string Geohash(double latitude, double longitude, int precision)
    {
        double[] lat = [-90, 90];
        double[] lon = [-180, 180];
        var hash = new StringBuilder(precision);
        bool even = true;
        int bit = 0;
        int index = 0;
        while (hash.Length < precision)
        {
            double[] range = even ? lon : lat;
            double value = even ? longitude : latitude;
            double mid = (range[0] + range[1]) / 2;
            if (value >= mid)
            {
                index = (index << 1) | 1;
                range[0] = mid;
            }
            else
            {
                index <<= 1;
                range[1] = mid;
            }

            even = !even;
            if (++bit == 5)
            {
                hash.Append(GeohashAlphabet[index]);
                bit = 0;
                index = 0;
            }
        }

        return hash.ToString();
    }

    private static double Round(double value, double step)
    {
        double result = Math.Round(value / step, MidpointRounding.AwayFromZero) * step;
        return result == 0 ? 0.0 : result;
    }

    private static long Floor(long millis, int minutes) => millis - (millis % (minutes * 60_000L));

    private static long ToMillis(DateTime time) => (time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    private static DateTime FromMillis(long millis) => DateTime.UnixEpoch.AddTicks(millis * TimeSpan.TicksPerMillisecond);
}
