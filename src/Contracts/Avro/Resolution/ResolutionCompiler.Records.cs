using Avro;

namespace Sieve.Contracts.Avro.Resolution;

// Records: fields matched by name, defaults, skipped writer-only fields, and runs of unchanged fields.
internal sealed partial class ResolutionCompiler
{
    private RecordNode? ResolveRecord(RecordSchema writer, RecordSchema reader, string path, out string? incompatibility)
    {
        incompatibility = null;
        if (!SameName(writer, reader))
        {
            incompatibility = path + ": record " + writer.Fullname + " cannot be read as " + reader.Fullname;
            return null;
        }

        if (_records.TryGetValue((writer, reader), out RecordNode? known))
        {
            // A recursive schema: the node being compiled is its own descendant.
            return known;
        }

        if (writer.Count > RecordNode.MaxFields || reader.Count > RecordNode.MaxFields)
        {
            incompatibility = path + ": more than " + RecordNode.MaxFields + " fields";
            return null;
        }

        var node = new RecordNode();
        _records[(writer, reader)] = node;
        int[] source = new int[reader.Count];
        var nodes = new ResolutionNode?[reader.Count];
        var defaults = new byte[reader.Count][];
        bool inOrder = true;
        int last = -1;
        for (int i = 0; i < reader.Count; i++)
        {
            Field field = reader.Fields[i];
            string fieldPath = path + "." + field.Name;
            source[i] = WriterFieldOf(writer, field);
            defaults[i] = [];
            if (source[i] < 0)
            {
                if (field.DefaultValue is null)
                {
                    _records.Remove((writer, reader));
                    incompatibility = fieldPath + ": the reader's field has no default and the writer does not write it";
                    return null;
                }

                if (!DefaultValueEncoder.TryEncode(field.Schema, field.DefaultValue, out defaults[i]))
                {
                    _records.Remove((writer, reader));
                    incompatibility = fieldPath + ": the reader's default does not match the field's type";
                    return null;
                }

                continue;
            }

            nodes[i] = Resolve(writer.Fields[source[i]].Schema, field.Schema, fieldPath, out incompatibility);
            if (nodes[i] is null)
            {
                _records.Remove((writer, reader));
                return null;
            }

            inOrder &= source[i] > last;
            last = Math.Max(last, source[i]);
        }

        if (inOrder)
        {
            RecordNode.Step[] steps = CopyRuns(InOrderSteps(writer, source, nodes, defaults), writer);
            bool identity = writer.Count == reader.Count && steps.Length == 1 && steps[0].Node is CopyRunNode { IsIdentity: true };
            node.SetInOrder(steps, identity);
        }
        else
        {
            var skips = new ResolutionNode[writer.Count];
            for (int k = 0; k < skips.Length; k++)
            {
                skips[k] = Skip(writer.Fields[k].Schema);
            }

            var fields = new RecordNode.ReaderField[reader.Count];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = new RecordNode.ReaderField(Math.Max(0, source[i]), nodes[i], defaults[i]);
            }

            node.SetReordered(skips, fields);
        }

        return node;
    }

    /// <summary>The steps of an in-order record, each with the writer field it reads (-1 for a default) and whether it only skips it.</summary>
    private List<(RecordNode.Step Step, int WriterField, bool Skip)> InOrderSteps(RecordSchema writer, int[] source, ResolutionNode?[] nodes, byte[][] defaults)
    {
        var steps = new List<(RecordNode.Step, int, bool)>(writer.Count + source.Length);
        int next = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i] < 0)
            {
                steps.Add((new RecordNode.Step(null, defaults[i]), -1, false));
                continue;
            }

            for (; next < source[i]; next++)
            {
                steps.Add((new RecordNode.Step(Skip(writer.Fields[next].Schema), []), next, true));
            }

            steps.Add((new RecordNode.Step(nodes[i], []), source[i], false));
            next = source[i] + 1;
        }

        for (; next < writer.Count; next++)
        {
            steps.Add((new RecordNode.Step(Skip(writer.Fields[next].Schema), []), next, true));
        }

        return steps;
    }

    /// <summary>
    /// Merges consecutive steps that copy a writer field unchanged or skip a writer-only field into one
    /// <see cref="CopyRunNode"/> of program segments. A field whose schema has no program (a recursive one) keeps
    /// its own node.
    /// </summary>
    private static RecordNode.Step[] CopyRuns(List<(RecordNode.Step Step, int WriterField, bool Skip)> steps, RecordSchema writer)
    {
        var merged = new List<RecordNode.Step>(steps.Count);
        var segments = new List<CopyRunNode.Segment>();
        var fields = new List<Schema>();
        bool copying = false;
        foreach ((RecordNode.Step step, int field, bool skip) in steps)
        {
            bool copy = step.Node is { IsIdentity: true } && field >= 0;
            if ((copy || skip) && SkipProgram.TryCompile([writer.Fields[field].Schema], out _))
            {
                if (fields.Count > 0 && copy != copying)
                {
                    EndSegment(segments, fields, copying);
                }

                copying = copy;
                fields.Add(writer.Fields[field].Schema);
                continue;
            }

            EndSegment(segments, fields, copying);
            Flush(merged, segments);
            merged.Add(step);
        }

        EndSegment(segments, fields, copying);
        Flush(merged, segments);
        return [.. merged];

        static void EndSegment(List<CopyRunNode.Segment> segments, List<Schema> fields, bool copy)
        {
            if (fields.Count > 0)
            {
                SkipProgram.TryCompile(fields, out byte[] program);
                segments.Add(new CopyRunNode.Segment(program, copy));
                fields.Clear();
            }
        }

        static void Flush(List<RecordNode.Step> merged, List<CopyRunNode.Segment> segments)
        {
            if (segments.Count > 0)
            {
                merged.Add(new RecordNode.Step(new CopyRunNode([.. segments]), []));
                segments.Clear();
            }
        }
    }


    private static int WriterFieldOf(RecordSchema writer, Field readerField)
    {
        if (writer.TryGetField(readerField.Name, out Field? field))
        {
            return field.Pos;
        }

        if (readerField.Aliases is { } aliases)
        {
            foreach (string alias in aliases)
            {
                if (writer.TryGetField(alias, out field))
                {
                    return field.Pos;
                }
            }
        }

        return -1;
    }
}
