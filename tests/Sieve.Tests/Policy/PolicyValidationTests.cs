using Sieve.Core.Policy;
using Sieve.Testing.Policy;
using static Sieve.Testing.Policy.PolicyTestText;

namespace Sieve.Tests.Policy;

public class PolicyValidationTests
{
    private const string TelematicsOpen = "\"telematics\": {\n";
    private const string TelematicsFirst = "        \"vin\": \"pseudonymize\",";

    /// <summary>The minimal policy with <paramref name="entry"/> added as the first telematics entry.</summary>
    private static string WithTelematicsEntry(string entry) =>
        Minimal.Edit(TelematicsFirst, "        " + entry + ",\n" + TelematicsFirst);

    [Fact]
    public void The_minimal_policy_compiles()
    {
        CompiledPolicy policy = PolicyCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(Minimal), Source);
        PurposePlan plan = Assert.Single(policy.Purposes);
        Assert.True(plan.TakesTelematics);
        Assert.False(plan.TakesWifi);
        Assert.All(plan.Slots, s => Assert.Equal(TransformKind.None, s.FromWifi.Kind));
        Assert.Equal(FieldTransform.None, Assert.Single(plan.Slots, s => s.Kind == SlotKind.SpeedKph).FromTelematics);
        Assert.Same(InterestCategoryMap.Empty, policy.Interests);
    }

    [Fact]
    public void Unknown_top_level_key()
    {
        string json = Minimal.Edit("\"policyVersion\": \"t1\",", "\"policyVersion\": \"t1\",\n  \"owner\": \"x\",");
        PolicyError error = ExpectSingle(json, "\"owner\"", "unknown top-level key 'owner'");
        Assert.Equal(3, error.Column);
    }

    [Fact]
    public void Unknown_purpose_key()
    {
        string json = Minimal.Edit("\"pseudonym\": \"stable\",", "\"pseudonym\": \"stable\",\n      \"keepFor\": 30,");
        ExpectSingle(json, "\"keepFor\"", "unknown key 'keepFor' in purpose 'positioning'; expected 'topic', 'outputSchema', 'retention',");
    }

    [Fact]
    public void Retention_is_compiled_into_the_plan()
    {
        CompiledPolicy policy = PolicyCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(Minimal.Edit("\"retention\": \"30d\"", "\"retention\": \"45d\"")), Source);
        PurposePlan plan = Assert.Single(policy.Purposes);
        Assert.Equal(TimeSpan.FromDays(45), plan.Retention);
        Assert.Equal(45, plan.RetentionDays);
        Assert.Equal(TimeSpan.FromDays(45), policy.LongestRetention);
    }

    [Fact]
    public void The_default_policy_declares_each_purposes_retention()
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        Assert.Equal(TimeSpan.FromDays(7), policy.FindPurpose("positioning")!.Retention);
        Assert.Equal(TimeSpan.FromDays(180), policy.FindPurpose("personalization")!.Retention);
        Assert.Equal(TimeSpan.FromDays(730), policy.FindPurpose("analytics")!.Retention);
        Assert.Equal(TimeSpan.FromDays(1825), policy.FindPurpose("quality")!.Retention);
        Assert.Equal(TimeSpan.FromDays(90), policy.FindPurpose("marketing")!.Retention);
        Assert.Equal(TimeSpan.FromDays(1825), policy.LongestRetention);
    }

    [Fact]
    public void Missing_retention()
    {
        string json = Minimal.Edit("      \"retention\": \"30d\",\n", "");
        ExpectSingle(json, "\"positioning\": {", "purpose 'positioning' is missing 'retention'");
    }

    [Theory]
    [InlineData("\"30\"", "not '30'")]
    [InlineData("30", "not 30")]
    [InlineData("\"0d\"", "not '0d'")]
    [InlineData("\"-7d\"", "not '-7d'")]
    [InlineData("\"7 d\"", "not '7 d'")]
    [InlineData("\"07d\"", "not '07d'")]
    [InlineData("\"36501d\"", "not '36501d'")]
    [InlineData("\"2y\"", "not '2y'")]
    [InlineData("null", "not null")]
    public void Bad_retention(string value, string problem)
    {
        string json = Minimal.Edit("\"retention\": \"30d\"", "\"retention\": " + value);
        PolicyError error = ExpectSingle(json, "\"retention\"", "'retention' of purpose 'positioning' must be whole days from 1 to 36500 written like \"7d\", " + problem);
        Assert.Equal(ColumnOf(json, "\"retention\"") + "\"retention\": ".Length, error.Column);
    }

    [Fact]
    public void Purpose_not_declared_in_the_privacy_policy()
    {
        string json = Minimal.Edit("\"positioning\": {", "\"profiling\": {");
        PolicyError error = ExpectSingle(json, "\"profiling\"", "purpose 'profiling' is not declared in the privacy policy; declared: positioning, personalization, analytics");
        Assert.Equal(ColumnOf(json, "\"profiling\""), error.Column);
    }

    [Fact]
    public void Unknown_field_path()
    {
        string json = WithTelematicsEntry("\"location.lat\": \"pass\"");
        ExpectSingle(json, "\"location.lat\"", "unknown field 'location.lat' in TelematicsEvent");
    }

    [Fact]
    public void Field_of_the_other_input_is_unknown()
    {
        string json = WithTelematicsEntry("\"outletId\": \"pass\"");
        ExpectSingle(json, "\"outletId\"", "unknown field 'outletId' in TelematicsEvent");
    }

    [Fact]
    public void Unknown_transform()
    {
        string json = WithTelematicsEntry("\"location.speedKph\": { \"transform\": \"blur\" }");
        PolicyError error = ExpectSingle(json, "\"blur\"", "unknown transform 'blur' for 'location.speedKph'");
        Assert.Equal(ColumnOf(json, "\"blur\""), error.Column);
    }

    [Fact]
    public void Missing_parameter()
    {
        string json = WithTelematicsEntry("\"location.speedKph\": \"round\"");
        ExpectSingle(json, "\"location.speedKph\"", "transform 'round' on 'location.speedKph' (purpose 'positioning') needs parameter 'step'");
    }

    [Theory]
    [InlineData("{ \"transform\": \"round\", \"step\": 0 }", "'step' of 'location.speedKph' must be a positive number")]
    [InlineData("{ \"transform\": \"round\", \"step\": \"10\" }", "'step' of 'location.speedKph' must be a positive number")]
    public void Bad_rounding_step(string transform, string problem)
    {
        string json = WithTelematicsEntry($"\"location.speedKph\": {transform}");
        ExpectSingle(json, "\"location.speedKph\"", problem);
    }

    [Fact]
    public void Geohash_precision_out_of_range()
    {
        string json = Minimal.Edit("\"outputSchema\": \"PositioningRecord\"", "\"outputSchema\": \"AnalyticsRecord\"")
            .Edit("\"eventTime\": \"pass\",", "\"eventTime\": { \"transform\": \"bucketTime\", \"minutes\": 15 },\n        \"location\": { \"transform\": \"geohash\", \"precision\": 13 },")
            .Edit("\"location.latitude\": \"pass\",\n", "")
            .Edit("\"location.longitude\": \"pass\"", "\"status.engineOn\": \"pass\"");
        PolicyError error = ExpectSingle(json, "\"precision\": 13", "'precision' of 'location' must be a whole number from 1 to 12, not 13");
        Assert.Equal(ColumnOf(json, "13 }"), error.Column);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("600000")]
    public void Bad_bucket_minutes(string minutes)
    {
        string json = Minimal.Edit("\"outputSchema\": \"PositioningRecord\"", "\"outputSchema\": \"AnalyticsRecord\"")
            .Edit("\"eventTime\": \"pass\",", $"\"eventTime\": {{ \"transform\": \"bucketTime\", \"minutes\": {minutes} }},")
            .Edit("\"location.latitude\": \"pass\",\n", "")
            .Edit("\"location.longitude\": \"pass\"", "\"status.engineOn\": \"pass\"");
        ExpectSingle(json, "\"bucketTime\"", "'minutes' of 'eventTime' must be a whole number from 1 to");
    }

    [Fact]
    public void Unknown_parameter()
    {
        string json = WithTelematicsEntry("\"location.speedKph\": { \"transform\": \"round\", \"step\": 5, \"mode\": \"up\" }");
        ExpectSingle(json, "\"mode\"", "unknown parameter 'mode' for transform 'round' on 'location.speedKph'; expected 'step'");
    }

    [Fact]
    public void Parameter_on_a_transform_that_takes_none()
    {
        string json = Minimal.Edit("\"eventTime\": \"pass\"", "\"eventTime\": { \"transform\": \"pass\", \"step\": 5 }");
        ExpectSingle(json, "\"step\"", "transform 'pass' takes no parameters; remove 'step' from 'eventTime'");
    }

    [Fact]
    public void Round_on_a_non_numeric_field()
    {
        string json = WithTelematicsEntry("\"eventId\": { \"transform\": \"round\", \"step\": 10 }");
        ExpectSingle(json, "\"eventId\"", "transform 'round' needs an int, long, float or double field; 'eventId' is string");
    }

    [Fact]
    public void Round_on_a_timestamp_suggests_bucketing()
    {
        string json = Minimal.Edit("\"eventTime\": \"pass\"", "\"eventTime\": { \"transform\": \"round\", \"step\": 60000 }");
        ExpectSingle(json, "\"eventTime\"", "'eventTime' is long (timestamp-millis)");
    }

    [Fact]
    public void Bucket_time_on_another_field()
    {
        string json = WithTelematicsEntry("\"status.odometerKm\": { \"transform\": \"bucketTime\", \"minutes\": 60 }");
        ExpectSingle(json, "\"status.odometerKm\"", "transform 'bucketTime' applies only to 'eventTime', not 'status.odometerKm'");
    }

    [Fact]
    public void Geohash_on_a_coordinate()
    {
        string json = Minimal.Edit("\"location.latitude\": \"pass\"", "\"location.latitude\": { \"transform\": \"geohash\", \"precision\": 6 }");
        ExpectSingle(json, "\"location.latitude\"", "transform 'geohash' applies only to the record field 'location', not 'location.latitude'");
    }

    [Fact]
    public void Interest_categories_on_a_non_array_field()
    {
        string json = WithTelematicsEntry("\"eventId\": { \"transform\": \"interestCategories\" }")
            .Edit("\n  }\n}", "\n  },\n  \"interestCategories\": { \"ctrip.com\": \"travel\" }\n}");
        ExpectSingle(json, "\"eventId\"", "transform 'interestCategories' needs an array<string> field; 'eventId' is string");
    }

    [Fact]
    public void Interest_categories_without_a_map()
    {
        string json = PersonalizationWifi("\"visitedDomains\": { \"transform\": \"interestCategories\" }");
        ExpectSingle(json, "\"visitedDomains\"", "needs a non-empty top-level 'interestCategories' map");
    }

    [Fact]
    public void Passing_a_record_whole()
    {
        string json = WithTelematicsEntry("\"status\": \"pass\"");
        ExpectSingle(json, "\"status\"", "cannot pass the record field 'status' whole");
    }

    [Fact]
    public void Unknown_output_schema()
    {
        string json = Minimal.Edit("\"PositioningRecord\"", "\"PositionRecord\"");
        ExpectSingle(json, "\"PositionRecord\"", "unknown output schema 'PositionRecord' for purpose 'positioning'; known: ");
    }

    [Fact]
    public void Duplicated_key()
    {
        string json = Minimal.Edit("\"eventTime\": \"pass\",", "\"eventTime\": \"pass\",\n        \"eventTime\": \"drop\",");
        PolicyError error = ExpectSingle(json, "\"eventTime\": \"drop\"", "duplicate key 'eventTime'");
        Assert.Equal(9, error.Column);
    }

    [Fact]
    public void Duplicated_purpose()
    {
        string json = Minimal.Edit("\n  }\n}", "\n    ,\"positioning\": {}\n  }\n}");
        ExpectSingle(json, ",\"positioning\"", "duplicate key 'positioning'");
    }

    [Theory]
    [InlineData("\"driver.phoneNumber\": \"pass\"", "direct field 'driver.phoneNumber' can never leave un-pseudonymized")]
    [InlineData("\"driver.name\": { \"transform\": \"pass\" }", "direct field 'driver.name' can never leave un-pseudonymized")]
    [InlineData("\"driver\": \"pass\"", "direct field 'driver' can never leave un-pseudonymized")]
    [InlineData("\"deviceId\": \"pseudonymize\"", "direct field 'deviceId' can never leave un-pseudonymized; in 'telematics' only the subject identifier ('vin') is pseudonymized")]
    [InlineData("\"deviceId\": \"pass\"", "direct field 'deviceId' can never leave un-pseudonymized; it may only be 'drop'")]
    [InlineData("\"driver.licenseNumber\": { \"transform\": \"round\", \"step\": 1 }", "direct field 'driver.licenseNumber' can never leave un-pseudonymized")]
    public void Direct_fields_never_leave_in_the_clear(string entry, string problem)
    {
        string json = WithTelematicsEntry(entry);
        ExpectSingle(json, entry, problem);
    }

    [Fact]
    public void The_subject_identifier_cannot_be_passed()
    {
        string json = Minimal.Edit("\"vin\": \"pseudonymize\"", "\"vin\": \"pass\"");
        ExpectSingle(json, "\"vin\"", "direct field 'vin' can never leave un-pseudonymized; it may only be 'drop' or 'pseudonymize'");
    }

    [Fact]
    public void Direct_fields_may_be_dropped_explicitly()
    {
        string json = WithTelematicsEntry("\"driver\": \"drop\",\n        \"deviceId\": \"drop\",\n        \"driver.phoneNumber\": \"drop\"");
        Assert.Single(PolicyCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(json), Source).Purposes);
    }

    [Fact]
    public void Only_the_subject_identifier_is_pseudonymized()
    {
        string json = WithTelematicsEntry("\"eventId\": \"pseudonymize\"");
        ExpectSingle(json, "\"eventId\"", "'eventId' is not a subject identifier; in 'telematics' only 'vin' can be pseudonymized");
    }

    [Fact]
    public void Wifi_subject_identifiers_cannot_be_dropped()
    {
        string json = PersonalizationWifi("\"phoneNumber\": \"drop\"");
        ExpectSingle(json, "\"phoneNumber\"", "'phoneNumber' identifies the wifi subject");
    }

    [Fact]
    public void Output_schema_without_the_field()
    {
        string json = WithTelematicsEntry("\"status.odometerKm\": \"pass\"");
        ExpectSingle(json, "\"status.odometerKm\"", "purpose 'positioning': output schema 'PositioningRecord' has no field 'odometerKm' for 'status.odometerKm' (pass)");
    }

    [Fact]
    public void Bucketed_time_cannot_fill_a_precise_time_schema()
    {
        string json = Minimal.Edit("\"eventTime\": \"pass\"", "\"eventTime\": { \"transform\": \"bucketTime\", \"minutes\": 60 }");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(2, errors.Count);
        Assert.Equal("purpose 'positioning': output schema 'PositioningRecord' field 'eventTime' is not nullable, but section 'telematics' does not fill it", errors[0].Problem);
        Assert.Equal(LineOf(json, "\"telematics\""), errors[0].Line);
        Assert.Equal("purpose 'positioning': output schema 'PositioningRecord' has no field 'timeBucket' for 'eventTime' (bucketTime)", errors[1].Problem);
        Assert.Equal(LineOf(json, "\"eventTime\""), errors[1].Line);
    }

    [Fact]
    public void Non_nullable_output_must_be_filled_by_every_section()
    {
        string json = Minimal.Edit("\"location.longitude\": \"pass\"\n      }", "\"location.longitude\": \"pass\"\n      },\n      \"wifi\": {\n        \"clientMac\": \"pseudonymize\",\n        \"eventTime\": \"pass\",\n        \"location.latitude\": \"pass\"\n      }");
        ExpectSingle(json, "\"wifi\"", "purpose 'positioning': output schema 'PositioningRecord' field 'longitude' is not nullable, but section 'wifi' does not fill it");
    }

    [Fact]
    public void Incompatible_output_type()
    {
        const string record = """
            { "type": "record", "name": "WrongTypes", "namespace": "sieve.test", "fields": [
              { "name": "subject", "type": "string" },
              { "name": "latitude", "type": ["null", "float"] },
              { "name": "speedKph", "type": "float" } ] }
            """;
        string json = Minimal.Edit("\"PositioningRecord\"", "\"WrongTypes\"")
            .Edit("\"eventTime\": \"pass\",\n", "")
            .Edit("\"location.longitude\": \"pass\"", "\"location.speedKph\": \"pass\"");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json, CatalogWith(record));
        Assert.Equal(2, errors.Count);
        Assert.Equal("purpose 'positioning': output schema 'WrongTypes' field 'latitude' is float, but 'location.latitude' (pass) gives double", errors[0].Problem);
        Assert.Equal(LineOf(json, "\"location.latitude\""), errors[0].Line);
        Assert.Equal("purpose 'positioning': output schema 'WrongTypes' field 'speedKph' is not nullable, but 'location.speedKph' may be null", errors[1].Problem);
        Assert.Equal(LineOf(json, "\"location.speedKph\""), errors[1].Line);
    }

    [Fact]
    public void Output_field_the_minimizer_cannot_fill()
    {
        const string record = """
            { "type": "record", "name": "WithVin", "namespace": "sieve.test", "fields": [
              { "name": "subject", "type": "string" },
              { "name": "vin", "type": ["null", "string"] },
              { "name": "latitude", "type": "double" } ] }
            """;
        string json = Minimal.Edit("\"PositioningRecord\"", "\"WithVin\"")
            .Edit("\"eventTime\": \"pass\",\n", "")
            .Edit(",\n        \"location.longitude\": \"pass\"", "");
        ExpectSingle(json, "\"WithVin\"", "purpose 'positioning': output schema 'WithVin' field 'vin' is not a field the minimizer can fill", CatalogWith(record));
    }

    [Fact]
    public void Identity_fields_must_have_their_types()
    {
        const string record = """
            { "type": "record", "name": "BadSubject", "namespace": "sieve.test", "fields": [
              { "name": "subject", "type": "long" },
              { "name": "latitude", "type": "double" } ] }
            """;
        string json = Minimal.Edit("\"PositioningRecord\"", "\"BadSubject\"")
            .Edit("\"eventTime\": \"pass\",\n", "")
            .Edit(",\n        \"location.longitude\": \"pass\"", "");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json, CatalogWith(record));
        Assert.Contains(errors, e => e.Problem == "purpose 'positioning': output schema 'BadSubject' field 'subject' must be a non-nullable string");
        Assert.Contains(errors, e => e.Problem.Contains("field 'subject' is long, but 'vin' (pseudonymize) gives string", StringComparison.Ordinal));
    }

    [Fact]
    public void Positioning_without_consent_is_rejected()
    {
        string json = Minimal.Edit("\"consentRequired\": true", "\"consentRequired\": false").Edit("      \"consentMaxAge\": \"365d\",\n", "");
        PolicyError error = ExpectSingle(json, "\"consentRequired\"", "purpose 'positioning' forwards precise data without consent (it declares no 'anonymize' block with 'segment' pseudonyms, and a pseudonym alone does not make data anonymous; output field 'eventTime' is precise; output field 'latitude' is precise; output field 'longitude' is precise)");
        Assert.Equal(ColumnOf(json, "false"), error.Column);
    }

    [Fact]
    public void No_consent_needs_an_anonymize_block_even_when_generalized()
    {
        string policy = System.Text.Encoding.UTF8.GetString(DefaultPolicyBytes());
        int start = policy.IndexOf("      \"anonymize\": {", StringComparison.Ordinal);
        int end = policy.IndexOf("      \"telematics\"", start, StringComparison.Ordinal);
        string json = policy.Remove(start, end - start).Edit("\"pseudonym\": \"segment\"", "\"pseudonym\": \"daily\"");
        ExpectSingle(json, "\"consentRequired\": false,\n      \"legalBasis\": \"anonymized\"", "purpose 'analytics' forwards precise data without consent (it declares no 'anonymize' block with 'segment' pseudonyms, and a pseudonym alone does not make data anonymous)");
    }

    private static string DefaultPolicy => System.Text.Encoding.UTF8.GetString(DefaultPolicyBytes());

    [Fact]
    public void Segment_pseudonyms_need_an_anonymize_block()
    {
        string policy = DefaultPolicy;
        int start = policy.IndexOf("      \"anonymize\": {", StringComparison.Ordinal);
        int end = policy.IndexOf("      \"telematics\"", start, StringComparison.Ordinal);
        IReadOnlyList<PolicyError> errors = ErrorsOf(policy.Remove(start, end - start));
        Assert.Contains(errors, e => e.Problem == "purpose 'analytics' uses 'segment' pseudonyms, which need an 'anonymize' block");
    }

    [Fact]
    public void The_gap_must_be_shorter_than_a_segment()
    {
        string json = DefaultPolicy.Edit("\"gapMinutes\": 1", "\"gapMinutes\": 30");
        ExpectSingle(json, "\"gapMinutes\": 30", "'gapMinutes' of 'anonymize' of purpose 'analytics' must be shorter than 'segmentMinutes' (30)");
    }

    [Fact]
    public void A_segment_is_a_whole_number_of_time_buckets()
    {
        string json = DefaultPolicy.Edit("\"segmentMinutes\": 30", "\"segmentMinutes\": 20");
        ExpectSingle(json, "\"segmentMinutes\": 20", "'segmentMinutes' of 'anonymize' of purpose 'analytics' must be a multiple of the purpose's time bucket (15 minutes)");
    }

    [Fact]
    public void An_anonymized_purpose_may_not_release_slowly_changing_values()
    {
        string json = DefaultPolicy.Edit("        \"location.speedKph\": { \"transform\": \"round\", \"step\": 10 },\n        \"status.engineOn\": \"pass\"",
            "        \"location.speedKph\": { \"transform\": \"round\", \"step\": 10 },\n        \"status.odometerKm\": { \"transform\": \"round\", \"step\": 1000 },\n        \"status.engineOn\": \"pass\"");
        ExpectSingle(json, "\"anonymize\": {", "purpose 'analytics' declares 'anonymize' but releases 'odometerKm', a slowly changing value that links a vehicle's segments");
    }

    [Fact]
    public void The_release_stages_count_must_be_a_nullable_long_and_last_in_an_anonymized_record()
    {
        string fields = """
              { "name": "subject", "type": "string" },
              { "name": "keyId", "type": "string" },
              { "name": "source", "type": { "type": "enum", "name": "EventSource", "namespace": "sieve.common", "symbols": ["TELEMATICS", "WIFI"] } },
              { "name": "timeBucket", "type": { "type": "long", "logicalType": "timestamp-millis" } },
              { "name": "dwellSeconds", "type": ["null", "int"] },
            """;
        string notLast = "{ \"type\": \"record\", \"name\": \"CountNotLast\", \"namespace\": \"sieve.test\", \"fields\": [" + fields
            + "{ \"name\": \"cellVehicles\", \"type\": [\"null\", \"long\"] }, { \"name\": \"geohash\", \"type\": [\"null\", \"string\"] }, { \"name\": \"speedKph\", \"type\": [\"null\", \"float\"] }, { \"name\": \"engineOn\", \"type\": [\"null\", \"boolean\"] } ] }";
        string json = DefaultPolicy.Edit("\"AnalyticsRecord\"", "\"CountNotLast\"");
        ExpectSingle(json, "\"anonymize\": {", "purpose 'analytics': 'cellVehicles' must be the last field of its output schema, where the release stage appends the count", CatalogWith(notLast));

        string asInt = "{ \"type\": \"record\", \"name\": \"CountIsInt\", \"namespace\": \"sieve.test\", \"fields\": [" + fields
            + "{ \"name\": \"geohash\", \"type\": [\"null\", \"string\"] }, { \"name\": \"speedKph\", \"type\": [\"null\", \"float\"] }, { \"name\": \"engineOn\", \"type\": [\"null\", \"boolean\"] }, { \"name\": \"cellVehicles\", \"type\": [\"null\", \"int\"] } ] }";
        json = DefaultPolicy.Edit("\"AnalyticsRecord\"", "\"CountIsInt\"");
        ExpectSingle(json, "\"CountIsInt\"", "purpose 'analytics': output schema 'CountIsInt' field 'cellVehicles' must be [\"null\", \"long\"]", CatalogWith(asInt));

        // The shipped record ends with it, so the release stage publishes the count.
        Assert.True(PolicyLoader.LoadDefault().FindPurpose("analytics")!.Anonymization!.PublishesCellVehicles);
    }

    [Fact]
    public void Anonymize_values_are_range_checked_where_they_are_written()
    {
        string json = DefaultPolicy.Edit("\"minVehicles\": 5", "\"minVehicles\": 1")
            .Edit("\"trimMeters\": { \"min\": 100, \"max\": 300 }", "\"trimMeters\": { \"min\": 300, \"max\": 100 }")
            .Edit("\"holdMinutes\": 10,", "\"holdMinutes\": 10,\n        \"holdHours\": 1,");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(3, errors.Count);
        Assert.Equal("'trimMeters' of 'anonymize' of purpose 'analytics': 'max' (100) is less than 'min' (300)", errors[0].Problem);
        Assert.Equal(LineOf(json, "\"trimMeters\""), errors[0].Line);
        Assert.StartsWith("unknown key 'holdHours' in 'anonymize' of purpose 'analytics'", errors[1].Problem, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, "\"holdHours\""), errors[1].Line);
        Assert.Equal("'minVehicles' of 'anonymize' of purpose 'analytics' must be a whole number from 2 to 10000, not 1", errors[2].Problem);
        Assert.Equal(LineOf(json, "\"minVehicles\": 1"), errors[2].Line);
    }

    [Fact]
    public void A_point_zone_needs_a_radius_and_a_polygon_must_close()
    {
        string json = DefaultPolicy.Edit("\"radiusMeters\": 400", "\"radius\": 400")
            .Edit("[121.4700, 31.2330], [121.4700, 31.2290]]]", "[121.4700, 31.2330], [121.4700, 31.2291]]]");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(2, errors.Count);
        Assert.Equal("zone 'Ruijin Hospital (example)' of 'anonymize' of purpose 'analytics': a Point zone needs properties.radiusMeters between 0 and 100,000", errors[0].Problem);
        Assert.Equal("zone 'Municipal government compound (example)' of 'anonymize' of purpose 'analytics': a ring needs at least 4 positions and must end where it starts", errors[1].Problem);
        Assert.Equal(LineOf(json, "[[[121.4700"), errors[1].Line);
    }

    [Fact]
    public void Topic_must_be_non_empty()
    {
        string json = Minimal.Edit("\"topic\": \"positioning.v1\"", "\"topic\": \"\"");
        ExpectSingle(json, "\"topic\"", "'topic' of purpose 'positioning' must be a non-empty string, not ''");
    }

    [Fact]
    public void Topic_must_be_a_valid_Kafka_name()
    {
        string json = Minimal.Edit("\"topic\": \"positioning.v1\"", "\"topic\": \"positioning v1\"");
        ExpectSingle(json, "\"topic\"", "'topic' of purpose 'positioning' is not a valid Kafka topic name");
    }

    [Fact]
    public void Topic_may_not_be_a_raw_topic()
    {
        string json = Minimal.Edit("\"topic\": \"positioning.v1\"", "\"topic\": \"telematics.raw.v1\"");
        ExpectSingle(json, "\"topic\"", "purpose 'positioning' cannot write to 'telematics.raw.v1', which is a raw-zone or operations topic");
    }

    [Fact]
    public void Two_purposes_may_not_share_a_topic()
    {
        string policy = System.Text.Encoding.UTF8.GetString(DefaultPolicyBytes());
        string json = policy.Edit("\"topic\": \"analytics.v1\"", "\"topic\": \"personalization.v1\"");
        PolicyError error = Assert.Single(ErrorsOf(json));
        Assert.Equal("purpose 'analytics' uses topic 'personalization.v1', which purpose 'personalization' already uses; each purpose needs its own topic", error.Problem);
        Assert.Equal(LineOf(json, "\"analytics\": {") + 1, error.Line);
    }

    [Fact]
    public void Bad_pseudonym_and_missing_keys()
    {
        string json = Minimal.Edit("\"pseudonym\": \"stable\",", "\"pseudonym\": \"hourly\",")
            .Edit("      \"consentRequired\": true,\n", "");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(2, errors.Count);
        Assert.Equal("purpose 'positioning' is missing 'consentRequired'", errors[0].Problem);
        Assert.Equal(LineOf(json, "\"positioning\": {"), errors[0].Line);
        Assert.Equal("'pseudonym' of purpose 'positioning' must be 'stable', 'daily' or 'segment', not 'hourly'", errors[1].Problem);
        Assert.Equal(LineOf(json, "\"hourly\""), errors[1].Line);
    }

    [Fact]
    public void Purpose_without_input()
    {
        string json = Minimal.Edit("\"pseudonym\": \"stable\",", "\"pseudonym\": \"stable\"")
            .Edit("      \"telematics\": {\n        \"vin\": \"pseudonymize\",\n        \"eventTime\": \"pass\",\n        \"location.latitude\": \"pass\",\n        \"location.longitude\": \"pass\"\n      }\n", "");
        ExpectSingle(json, "\"positioning\": {", "purpose 'positioning' declares no input");
    }

    [Fact]
    public void Invalid_interest_domains_and_categories()
    {
        string json = Minimal.Edit("\n  }\n}", "\n  },\n  \"interestCategories\": {\n    \"ctrip.com\": \"travel\",\n    \"携程.com\": \"travel\",\n    \"CTRIP.com\": \"shopping\",\n    \"jd.com\": \"\"\n  }\n}");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(3, errors.Count);
        Assert.Contains("interest domain '携程.com': domain may hold only ASCII letters", errors[0].Problem, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, "\"携程.com\""), errors[0].Line);
        Assert.Equal("interest domain 'CTRIP.com' is listed more than once (domains ignore case)", errors[1].Problem);
        Assert.Equal(LineOf(json, "\"CTRIP.com\""), errors[1].Line);
        Assert.Equal("interest domain 'jd.com': category must not be empty", errors[2].Problem);
        Assert.Equal(LineOf(json, "\"jd.com\""), errors[2].Line);
    }

    [Fact]
    public void Every_error_is_reported_in_document_order()
    {
        string json = Minimal.Edit("\"policyVersion\": \"t1\",", "\"policyVersion\": \"t1\",\n  \"owner\": 1,")
            .Edit("\"PositioningRecord\"", "\"Nope\"")
            .Edit("\"vin\": \"pseudonymize\",", "\"vin\": \"pseudonymize\",\n        \"driver.phoneNumber\": \"pass\",\n        \"location.lat\": \"pass\",");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(4, errors.Count);
        Assert.Equal(
            [LineOf(json, "\"owner\""), LineOf(json, "\"Nope\""), LineOf(json, "\"driver.phoneNumber\""), LineOf(json, "\"location.lat\"")],
            errors.Select(e => e.Line));
        Assert.StartsWith("unknown top-level key 'owner'", errors[0].Problem, StringComparison.Ordinal);
        Assert.StartsWith("unknown output schema 'Nope'", errors[1].Problem, StringComparison.Ordinal);
        Assert.StartsWith("direct field 'driver.phoneNumber' can never leave un-pseudonymized", errors[2].Problem, StringComparison.Ordinal);
        Assert.StartsWith("unknown field 'location.lat'", errors[3].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_value_kinds()
    {
        string json = Minimal.Edit("\"policyVersion\": \"t1\"", "\"policyVersion\": 7")
            .Edit("\"consentRequired\": true", "\"consentRequired\": \"yes\"")
            .Edit("\"eventTime\": \"pass\"", "\"eventTime\": 1");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Equal(
            [
                "'policyVersion' must be a non-empty string, not 7",
                "'consentRequired' of purpose 'positioning' must be true or false, not a string",
                "'eventTime' (purpose 'positioning') must be a transform name or an object with a 'transform', not a number",
            ],
            errors.Select(e => e.Problem));
    }

    private static string PersonalizationWifi(string entry) => $$"""
        {
          "policyVersion": "t1",
          "purposes": {
            "personalization": {
              "topic": "personalization.v1",
              "outputSchema": "PersonalizationRecord",
              "retention": "30d",
              "consentRequired": true,
              "consentMaxAge": "365d",
              "pseudonym": "stable",
              "wifi": {
                "eventTime": { "transform": "bucketTime", "minutes": 60 },
                {{entry}}
              }
            }
          }
        }
        """;

    private static byte[] DefaultPolicyBytes()
    {
        using Stream stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(PolicyLoader.DefaultResourceName)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
