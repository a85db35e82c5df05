using Parquet.Schema;
using Sieve.Core.Lake;

namespace Sieve.Tests.Sink;

/// <summary>The lake is closed to other users: its folders and files carry no permission for "others".</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LakePermissionsTests
{
    private const UnixFileMode Others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task A_lake_file_and_every_folder_created_for_it_are_closed_to_other_users()
    {
        string root = Path.Combine(Path.GetTempPath(), "sieve-lake-mode-" + Guid.NewGuid().ToString("N"));
        try
        {
            LakePermissions.CreateFolder(root);
            string file = Path.Combine(root, "analytics", "date=2026-12-06", "hour=08", "part-0.parquet");
            IDictionary<string, object?>[] rows = [new Dictionary<string, object?> { ["x"] = 1 }];
            await ParquetFiles.WriteAtomicallyAsync(file, new ParquetSchema(new DataField<int>("x")), rows, new Dictionary<string, string>(), CancellationToken.None);

            UnixFileMode mode = File.GetUnixFileMode(file);
            Assert.Equal(UnixFileMode.None, mode & Others);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite));
            for (string? folder = Path.GetDirectoryName(file); folder is not null && folder.Length >= root.Length; folder = Path.GetDirectoryName(folder))
            {
                UnixFileMode folderMode = File.GetUnixFileMode(folder);
                Assert.True((folderMode & Others) == UnixFileMode.None, $"{folder} is {folderMode}");
                Assert.True(folderMode.HasFlag(UnixFileMode.UserExecute), $"{folder} is {folderMode}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
