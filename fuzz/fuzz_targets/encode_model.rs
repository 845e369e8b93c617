//! Structure-aware: a model built from the fuzzer's bytes (any strings, floats, counts,
//! timestamps, native histograms) must survive protobuf exactly, and text too where text can
//! express it: encode -> decode == model. Reaches the encoders and the decoders' accept paths,
//! which byte-level inputs rarely get to.
#![no_main]

use std::borrow::Cow;

use arbitrary::{Result, Unstructured};
use expfmt::{
    Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};
use libfuzzer_sys::{fuzz_target, Corpus};

/// A valid name most of the time: letters, digits, `_`, `:` (labels: no `:`).
fn name(u: &mut Unstructured<'_>, colon: bool) -> Result<String> {
    const FIRST: &[u8] = b"abcxyzABC_";
    const REST: &[u8] = b"abcxyz019_";
    let len = u.int_in_range(1..=8)?;
    let mut s = String::new();
    s.push(*u.choose(FIRST)? as char);
    for _ in 1..len {
        let c = if colon && u.ratio(1, 10)? { b':' } else { *u.choose(REST)? };
        s.push(c as char);
    }
    Ok(s)
}

fn float(u: &mut Unstructured<'_>) -> Result<f64> {
    Ok(match u.int_in_range(0..=3)? {
        0 => f64::from(u.int_in_range(-1000..=1000)?),
        1 => f64::from_bits(u.arbitrary()?),
        2 => *u.choose(&[f64::INFINITY, f64::NEG_INFINITY, 0.5, 1e-7, 1e21])?,
        _ => f64::from(u.arbitrary::<f32>()?),
    })
}

fn labels(u: &mut Unstructured<'_>, reserved: &str) -> Result<Vec<Label<'static>>> {
    let mut out: Vec<Label<'static>> = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        let n = name(u, false)?;
        if n == reserved || n.starts_with("__") || out.iter().any(|l| l.name == n) {
            continue;
        }
        let v: String = u.arbitrary()?;
        out.push(Label::new(n, v));
    }
    Ok(out)
}

fn timestamp(u: &mut Unstructured<'_>) -> Result<Option<Timestamp>> {
    Ok(if u.arbitrary()? {
        Some(Timestamp { seconds: u.arbitrary()?, nanos: u.int_in_range(0..=999_999_999)? })
    } else {
        None
    })
}

fn exemplar(u: &mut Unstructured<'_>) -> Result<Option<Exemplar<'static>>> {
    Ok(if u.ratio(1, 4)? {
        Some(Exemplar { labels: labels(u, "")?, value: float(u)?, timestamp: timestamp(u)? })
    } else {
        None
    })
}

fn native(u: &mut Unstructured<'_>) -> Result<Option<Box<NativeHistogram>>> {
    if !u.ratio(1, 3)? {
        return Ok(None);
    }
    let side = |u: &mut Unstructured<'_>| -> Result<(Vec<BucketSpan>, NativeBuckets)> {
        let mut spans = Vec::new();
        let mut total = 0usize;
        for i in 0..u.int_in_range(0..=3)? {
            let length = u.int_in_range(0..=4)?;
            let offset = if i == 0 { u.int_in_range(-5..=5)? } else { u.int_in_range(0..=3)? };
            spans.push(BucketSpan { offset, length });
            total += length as usize;
        }
        let mut deltas = Vec::new();
        let mut count: i64 = 0;
        for _ in 0..total {
            let next = count + i64::from(u.int_in_range(0u8..=20)?);
            deltas.push(next - count);
            count = next;
        }
        Ok((spans, NativeBuckets::Deltas(deltas)))
    };
    let (negative_spans, negative) = side(u)?;
    let (positive_spans, positive) = side(u)?;
    Ok(Some(Box::new(NativeHistogram {
        schema: u.int_in_range(-4..=8)?,
        zero_threshold: f64::from(u.int_in_range(0u8..=10)?) / 1000.0,
        zero_count: Count::Int(u.int_in_range(0..=100)?),
        negative_spans,
        negative,
        positive_spans,
        positive,
    })))
}

fn value(u: &mut Unstructured<'_>, t: MetricType) -> Result<Value<'static>> {
    Ok(match t {
        MetricType::Counter => Value::Counter(Counter { value: float(u)?, created: timestamp(u)?, exemplar: exemplar(u)?.map(Box::new) }),
        MetricType::Gauge => Value::Gauge(float(u)?),
        MetricType::Summary => {
            let mut quantiles = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                quantiles.push(Quantile { quantile: f64::from(u.int_in_range(0u8..=100)?) / 100.0, value: float(u)? });
            }
            Value::Summary(Box::new(Summary {
                count: Some(u.int_in_range(0..=1u64 << 53)?),
                sum: Some(float(u)?),
                quantiles,
                created: timestamp(u)?,
            }))
        }
        MetricType::Histogram => {
            let mut buckets = Vec::new();
            let mut bound = -10.0;
            let mut count = 0u64;
            for _ in 0..u.int_in_range(0..=4)? {
                bound += f64::from(u.int_in_range(1u8..=10)?);
                count += u64::from(u.int_in_range(0u8..=50)?);
                buckets.push(Bucket { upper_bound: bound, count: Count::Int(count), exemplar: exemplar(u)?.map(Box::new) });
            }
            count += u64::from(u.int_in_range(0u8..=50)?);
            buckets.push(Bucket::new(f64::INFINITY, count));
            Value::Histogram(Box::new(Histogram {
                count: Some(Count::Int(count)),
                sum: Some(float(u)?),
                buckets,
                created: timestamp(u)?,
                native: native(u)?,
                exemplars: Vec::new(),
            }))
        }
        _ => Value::Untyped(float(u)?),
    })
}

fn families(u: &mut Unstructured<'_>) -> Result<Vec<MetricFamily<'static>>> {
    let mut out: Vec<MetricFamily<'static>> = Vec::new();
    for _ in 0..u.int_in_range(1..=4)? {
        let n = name(u, true)?;
        // Names that are another family's name plus a suffix cannot round-trip through text.
        if out.iter().any(|f| f.name.starts_with(n.as_str()) || n.starts_with(f.name.as_ref())) {
            continue;
        }
        let t = *u.choose(&[MetricType::Counter, MetricType::Gauge, MetricType::Summary, MetricType::Untyped, MetricType::Histogram])?;
        let reserved = if t == MetricType::Summary { "quantile" } else { "le" };
        let mut metrics: Vec<Metric<'static>> = Vec::new();
        for _ in 0..u.int_in_range(1..=3)? {
            let l = labels(u, reserved)?;
            // Summaries and histograms with equal label sets would merge when parsed as text.
            if matches!(t, MetricType::Summary | MetricType::Histogram)
                && metrics.iter().any(|m| { let mut a = m.labels.clone(); let mut b = l.clone(); a.sort(); b.sort(); a == b })
            {
                continue;
            }
            let ts = if u.arbitrary()? { Some(u.arbitrary()?) } else { None };
            metrics.push(Metric { labels: l, value: value(u, t)?, timestamp_ms: ts });
        }
        let help: Option<String> = if u.arbitrary()? { Some(u.arbitrary()?) } else { None };
        out.push(MetricFamily { name: Cow::Owned(n), help: help.map(Cow::Owned), unit: None, metric_type: t, metrics });
    }
    Ok(out)
}

/// What text 0.0.4 keeps of a model: no created timestamps, exemplars or native buckets; HELP
/// that starts with a blank or is empty does not survive (Go's reader strips it).
fn text_expressible(fs: &[MetricFamily<'_>]) -> bool {
    fs.iter().all(|f| {
        f.help.as_deref().is_none_or(|h| !h.is_empty() && !h.starts_with([' ', '\t']))
            && f.metrics.iter().all(|m| match &m.value {
                Value::Counter(c) => c.created.is_none() && c.exemplar.is_none(),
                Value::Summary(s) => s.created.is_none() && s.quantiles.iter().all(|q| !q.quantile.is_nan()),
                Value::Histogram(h) => h.created.is_none() && h.native.is_none() && h.buckets.iter().all(|b| b.exemplar.is_none()),
                _ => true,
            })
    })
}

fuzz_target!(|data: &[u8]| -> Corpus {
    let mut u = Unstructured::new(data);
    let Ok(model) = families(&mut u) else { return Corpus::Reject };
    let debug = format!("{model:?}");

    let bytes = expfmt::proto::encode(&model).unwrap_or_else(|e| panic!("{e}: {debug}"));
    let back = expfmt::proto::decode(&bytes).unwrap_or_else(|e| panic!("{e}: {debug}"));
    assert_eq!(format!("{back:?}"), debug, "protobuf round trip");

    if text_expressible(&model) {
        let text = expfmt::text::encode(&model).unwrap_or_else(|e| panic!("{e}: {debug}"));
        let back = expfmt::text::parse(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
        // Through text, -0 comes back as 0 (Go writes "0"): compare after the same encoding.
        assert_eq!(expfmt::text::encode(&back).expect("encodes"), text, "text round trip");
    }
    Corpus::Keep
});
