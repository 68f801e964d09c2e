//! instant-distance against hnsw_rs on real rapporteur vectors (vectors.bin).
use hnsw_rs::prelude::*;
use instant_distance::{Builder, Point, Search};
use std::time::Instant;

#[derive(Clone)]
struct Unit(Vec<f32>);
fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
impl Point for Unit {
    fn distance(&self, o: &Self) -> f32 {
        1.0 - dot(&self.0, &o.0)
    }
}

fn read(path: &str) -> Vec<Vec<f32>> {
    let b = std::fs::read(path).unwrap();
    let width = u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
    let rl = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
    let mut at = 16 + rl;
    let rec = 8 + 4 * width;
    let mut out = Vec::new();
    while at + rec <= b.len() {
        out.push(
            b[at + 8..at + rec]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect(),
        );
        at += rec;
    }
    out
}

fn exact(data: &[Vec<f32>], q: &[f32], k: usize, allow: &dyn Fn(usize) -> bool) -> Vec<usize> {
    let mut s: Vec<(f32, usize)> = data
        .iter()
        .enumerate()
        .filter(|(i, _)| allow(*i))
        .map(|(i, v)| (dot(q, v), i))
        .collect();
    s.sort_by(|a, b| b.0.total_cmp(&a.0));
    s.into_iter().take(k).map(|x| x.1).collect()
}

fn main() {
    let all = read(&std::env::args().nth(1).unwrap());
    let nq = 200;
    let (data, queries) = all.split_at(all.len() - nq);
    let k = 10;
    println!("{} vectors, {} held-out queries", data.len(), queries.len());
    let year = |i: usize| i % 13 == 0; // a filter keeping 1/13 of the records, like a year
    let truth: Vec<Vec<usize>> = queries
        .iter()
        .map(|q| exact(data, q, k, &|_| true))
        .collect();
    let truth_f: Vec<Vec<usize>> = queries.iter().map(|q| exact(data, q, k, &year)).collect();
    let recall = |found: &[Vec<usize>], t: &[Vec<usize>]| {
        let hit: usize = found
            .iter()
            .zip(t)
            .map(|(f, t)| t.iter().filter(|x| f.contains(x)).count())
            .sum();
        hit as f64 / t.iter().map(|t| t.len()).sum::<usize>() as f64
    };
    let p50 = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() * 99 / 100])
    };

    if std::env::var("SKIP_ID").is_err() {
        // instant-distance, as rapporteur builds it.
        let t = Instant::now();
        let points: Vec<Unit> = data.iter().map(|v| Unit(v.clone())).collect();
        let values: Vec<usize> = (0..data.len()).collect();
        let map = Builder::default()
            .ef_search(400)
            .seed(7)
            .build(points, values);
        println!("instant-distance build {:.1} s", t.elapsed().as_secs_f64());
        for (name, filter) in [
            ("none", None),
            ("1/13", Some(&year as &dyn Fn(usize) -> bool)),
        ] {
            let mut found = Vec::new();
            let mut lat = Vec::new();
            for q in queries {
                let t = Instant::now();
                let mut s = Search::default();
                let f: Vec<usize> = map
                    .search(&Unit(q.clone()), &mut s)
                    .map(|it| *it.value)
                    .filter(|i| filter.is_none_or(|f| f(*i)))
                    .take(k)
                    .collect();
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                found.push(f);
            }
            let tr = if filter.is_some() { &truth_f } else { &truth };
            let (a, b) = p50(lat);
            println!("  instant-distance ef 400 filter {name}: recall@10 {:.3}, p50 {a:.2} ms p99 {b:.2} ms", recall(&found, tr));
        }
    }
    for m in [16usize, 24] {
        let t = Instant::now();
        let h = Hnsw::<f32, DistCosine>::new(m, data.len(), 16, 200, DistCosine {});
        let with_id: Vec<(&Vec<f32>, usize)> = data.iter().zip(0..).collect();
        h.parallel_insert(&with_id);
        let build = t.elapsed().as_secs_f64();
        let dir = std::path::Path::new("target/dump");
        std::fs::create_dir_all(dir).unwrap();
        let t = Instant::now();
        let base = h.file_dump(dir, &format!("m{m}")).unwrap();
        let dump = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut io = hnsw_rs::hnswio::HnswIo::new(dir, &base);
        let loaded: Hnsw<f32, DistCosine> = io.load_hnsw().unwrap();
        let load = t.elapsed().as_secs_f64();
        println!(
            "hnsw_rs M {m} ef_c 200: build {build:.1} s, dump {dump:.1} s, reload {load:.1} s"
        );
        for ef in [100usize, 400] {
            for (name, filtered) in [("none", false), ("1/13", true)] {
                let mut found = Vec::new();
                let mut lat = Vec::new();
                let allowed: Vec<usize> = (0..data.len()).filter(|i| year(*i)).collect();
                for q in queries {
                    let t = Instant::now();
                    let r = if filtered {
                        loaded.search_filter(q, k, ef, Some(&allowed))
                    } else {
                        loaded.search(q, k, ef)
                    };
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                    found.push(r.into_iter().map(|n| n.d_id).collect());
                }
                let tr = if filtered { &truth_f } else { &truth };
                let (a, b) = p50(lat);
                println!(
                    "  hnsw_rs ef {ef} filter {name}: recall@10 {:.3}, p50 {a:.2} ms p99 {b:.2} ms",
                    recall(&found, tr)
                );
            }
        }
    }
}
