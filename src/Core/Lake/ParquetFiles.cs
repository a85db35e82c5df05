using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Sieve.Core.Lake;

/// <summary>Writes lake files so that a reader sees either the whole file or none of it, and reads their metadata.</summary>
public static class ParquetFiles
{
    /// <summary>
    /// Writes <paramref name="rows"/> to a temporary file beside <paramref name="finalPath"/> and syncs it to disk.
    /// Call <see cref="Publish"/> to move it into place.
    /// </summary>
    /// <returns>The temporary file's path.</returns>
    public static async Task<string> WriteTempAsync(string finalPath, ParquetSchema schema, IReadOnlyCollection<IDictionary<string, object?>> rows,
        IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        LakePermissions.CreateFolder(Path.GetDirectoryName(finalPath)!);
        string temp = LakeLayout.TempPathFor(finalPath);
        try
        {
            await using (var stream = new FileStream(temp, LakePermissions.NewFile(1 << 16)))
            {
                await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream, null, metadata, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Renames <paramref name="tempPath"/> to <paramref name="finalPath"/> (replacing it atomically) and syncs the folder.</summary>
    public static void Publish(string tempPath, string finalPath)
    {
        File.Move(tempPath, finalPath, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(finalPath)!);
    }

    /// <summary>Writes a whole file atomically: <see cref="WriteTempAsync"/>, then <see cref="Publish"/>.</summary>
    public static async Task WriteAtomicallyAsync(string finalPath, ParquetSchema schema, IReadOnlyCollection<IDictionary<string, object?>> rows,
        IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        string temp = await WriteTempAsync(finalPath, schema, rows, metadata, cancellationToken).ConfigureAwait(false);
        Publish(temp, finalPath);
    }

    /// <summary>The key-value metadata in a file's footer.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadMetadataAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12, useAsync: true);
        await using ParquetReader reader = await ParquetReader.CreateAsync(stream, null, false, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>(reader.CustomMetadata, StringComparer.Ordinal);
    }

    /// <summary>Every row of a file, its schema and its metadata.</summary>
    public static async Task<(ParquetSchema Schema, IList<Dictionary<string, object>> Rows, IReadOnlyDictionary<string, string> Metadata)> ReadAllAsync(
        string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        DeserializationResult<Dictionary<string, object>> result = await ParquetSerializer.DeserializeUntypedAsync(stream, null, null, cancellationToken).ConfigureAwait(false);
        return (result.Schema, result.Data, result.CustomMetadata);
    }

    /// <summary>Deletes a file, ignoring one that is already gone.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
